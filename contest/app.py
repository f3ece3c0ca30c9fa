"""The FastAPI application: settings, database, middleware, routers, error handlers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from contest import api, web
from contest.db import Database
from contest.errors_http import install_error_handlers
from contest.middleware import LocaleMiddleware, SecurityHeadersMiddleware
from contest.schema import check_schema
from contest.settings import Settings, get_settings
from contest.web.templating import STATIC_DIR, set_display_zone


def create_app(settings: Settings | None = None, *, check_database: bool = True) -> FastAPI:
    settings = (settings or get_settings()).ensure_secret_key()
    database = Database(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    if check_database:
        # Refuse to serve a database this code does not match (SchemaMismatch says why).
        check_schema(database.engine)
    set_display_zone(settings.timezone)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        database.dispose()

    app = FastAPI(
        title="Tianjiao 天骄",
        summary="Competition management for innovation and entrepreneurship contests",
        version="1.0",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    app.state.database = database
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(LocaleMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(api.router)
    app.include_router(web.router)
    install_error_handlers(app)
    return app


def create_app_from_env() -> FastAPI:
    """Factory for uvicorn workers: each process reads the same environment."""
    return create_app()
