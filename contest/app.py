"""The FastAPI application: settings, database, middleware, routers, error handlers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI

from contest.accounts import api as accounts_api
from contest.accounts import pages as accounts_pages
from contest.awards.api import awards as awards_api
from contest.awards.api import certificates as certificates_api
from contest.awards.pages import awards as awards_pages
from contest.awards.pages import certificates as certificates_pages
from contest.core.db import Database
from contest.core.process import exit_with_supervisor
from contest.core.schema import check_schema
from contest.core.settings import Settings, get_settings
from contest.core.web.deps import csrf_protect
from contest.core.web.docs import install_docs
from contest.core.web.errors import install_error_handlers
from contest.core.web.limits import BodyLimitMiddleware
from contest.core.web.middleware import LocaleMiddleware, SecurityHeadersMiddleware
from contest.core.web.templating import STATIC_DIR, VersionedStaticFiles, set_display_zone
from contest.core.web.text_guard import TextGuardMiddleware
from contest.core.web.uploads import ReadPace
from contest.entries import api as entries_api
from contest.entries.pages import team as entries_team_pages
from contest.exports import api as exports_api
from contest.exports import pages as exports_pages
from contest.home import pages as home_pages
from contest.investors import api as investors_api
from contest.investors import pages as investors_pages
from contest.jobs import api as jobs_api
from contest.jobs import engine as jobs_engine
from contest.jobs import pages as jobs_pages
from contest.judging import api as judging_api
from contest.judging.pages import judge as judging_judge_pages
from contest.live import api as live_api
from contest.live import pages as live_pages
from contest.notices import delivery as _mail_delivery  # noqa: F401 (registers its job)
from contest.objections import api as objections_api
from contest.objections import pages as objections_pages
from contest.privacy import api as privacy_api
from contest.privacy import pages as privacy_pages
from contest.results import api as results_api
from contest.results import pages as results_pages
from contest.setup import api as setup_api
from contest.setup.pages import contests as setup_contest_pages
from contest.setup.pages import judges as setup_judge_pages
from contest.setup.pages import outbox as setup_outbox_pages
from contest.setup.pages import rounds as setup_round_pages


def create_app(settings: Settings | None = None, *, check_database: bool = True) -> FastAPI:
    """The application for these settings (read from the environment by default)."""
    app = build_app()
    configure(app, settings or get_settings(), check_database=check_database)
    return app


def build_app() -> FastAPI:
    """Routes, middleware and error handlers: everything that does not depend on the
    settings. Building the routes is the slow part (FastAPI analyses every dependency),
    so a process that needs several apps for one code base (the tests) builds one."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.database.dispose()

    app = FastAPI(
        title="Tianjiao 天骄",
        summary="Competition management for innovation and entrepreneurship contests",
        version="1.0",
        lifespan=lifespan,
        # /docs and /redoc are our own pages (core/web/docs.py): assets served here, no
        # inline script.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    # Innermost first: text that cannot be stored is looked for in bodies already bounded;
    # both answer inside the security headers and the locale.
    app.add_middleware(TextGuardMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(LocaleMiddleware)
    app.mount("/static", VersionedStaticFiles(directory=STATIC_DIR), name="static")
    install_docs(app)
    app.include_router(api_router())
    app.include_router(page_router())
    install_error_handlers(app)
    return app


def configure(app: FastAPI, settings: Settings, *, check_database: bool = True) -> None:
    """Point the application at its settings and database. Every route reads them from
    `app.state`, so nothing else holds them."""
    settings = settings.ensure_secret_key()
    database = Database(
        settings.database_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        statement_timeout_ms=settings.db_statement_timeout_ms,
    )
    if check_database:
        # Refuse to serve a database this code does not match (SchemaMismatch says why).
        check_schema(database.engine)
    set_display_zone(settings.timezone)
    app.state.settings = settings
    app.state.database = database
    # Shared by every upload of this process (one app per worker).
    app.state.upload_read_pace = ReadPace(settings.upload_read_bytes_per_s)
    jobs_engine.configure(settings, database)


def create_app_from_env() -> FastAPI:
    """Factory for uvicorn workers: each process reads the same environment."""
    exit_with_supervisor()
    return create_app()


def api_router() -> APIRouter:
    """The JSON API under /api/v1, one router per feature."""
    router = APIRouter(prefix="/api/v1")
    # Routes are matched in order: the judges' autosaves and the big screen's polls, most
    # of a contest day's requests, come first instead of after a hundred other routes.
    for module in (judging_api, live_api, accounts_api, setup_api, entries_api, results_api,
                   awards_api, certificates_api, exports_api, jobs_api, investors_api,
                   objections_api, privacy_api):
        router.include_router(module.router)
    return router


def page_router() -> APIRouter:
    """Server-rendered pages, one router per feature.

    Every page router sits under one whose CSRF check covers every form that changes
    something. Routes that must read a large multipart body themselves (streamed uploads)
    go on a module's `streaming_router` and check the token as they parse.
    """
    router = APIRouter(include_in_schema=False)
    protected = APIRouter(dependencies=[Depends(csrf_protect)])
    for module in (home_pages, accounts_pages, setup_contest_pages, setup_round_pages,
                   setup_judge_pages, setup_outbox_pages, entries_team_pages,
                   judging_judge_pages, results_pages,
                   live_pages, awards_pages, certificates_pages, exports_pages, jobs_pages,
                   investors_pages, objections_pages, privacy_pages):
        protected.include_router(module.router)
        streaming = getattr(module, "streaming_router", None)
        if streaming is not None:
            router.include_router(streaming)
    router.include_router(protected)
    return router
