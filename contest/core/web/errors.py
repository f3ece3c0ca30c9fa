"""How errors reach the caller: JSON for the API, product-styled pages for people."""

import logging
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from contest.core import db as database
from contest.core.errors import Forbidden, InvalidInput, NotFound, StateConflict, TooManyAttempts
from contest.core.i18n import _
from contest.core.validation import is_ascii_number, message_of
from contest.core.web.deps import NotAuthenticated
from contest.core.web.templating import render
from contest.kit.uploads import NO_SPACE_ERRNOS, NoSpace, no_space_message

log = logging.getLogger("tianjiao")
MAX_ID = 2**31 - 1
# A 422 lists at most this many problems.
MAX_ERRORS = 200


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def invalid_input_body(exc: InvalidInput) -> dict[str, Any]:
    """FastAPI's own 422 shape, so clients parse one format; at most MAX_ERRORS problems,
    then one item counting the rest (a file of 100,000 bad rows answers in a few KB)."""
    detail = [
        {"loc": ["body", *error.loc], "msg": error.message, "type": error.code}
        for error in exc.errors[:MAX_ERRORS]
    ]
    more = len(exc.errors) - MAX_ERRORS
    if more > 0:
        detail.append({"loc": ["body"], "msg": more_problems(more), "type": "too_many_errors"})
    return {"detail": detail}


def more_problems(count: int) -> str:
    return _("… and %(count)s more problems, not listed.") % {"count": count}


def invalid_input_text(exc: InvalidInput) -> str:
    """The problems as one line for an error page, bounded like the API's list."""
    text = "; ".join(e.message for e in exc.errors[:MAX_ERRORS])
    more = len(exc.errors) - MAX_ERRORS
    return f"{text}; {more_problems(more)}" if more > 0 else text


def validation_detail(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """FastAPI's 422 items with our translated messages (the ones pages show), without
    the echo of the input: an answer stays small however large the request was."""
    return [
        {"loc": list(error["loc"]), "msg": message_of(error), "type": error["type"]}
        for error in errors[:MAX_ERRORS]
    ]


def error_page(
    request: Request,
    status_code: int,
    message: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    titles = {
        400: _("Bad request"),
        401: _("Please log in"),
        403: _("Not allowed"),
        404: _("Not found"),
        409: _("Not possible right now"),
        413: _("File too large"),
        422: _("Invalid input"),
        429: _("Too many attempts"),
        503: _("Busy, please retry"),
        507: _("Storage full"),
    }
    response = render(
        request,
        "error.html",
        {
            "status_code": status_code,
            "title": titles.get(status_code, _("Something went wrong")),
            "message": message,
        },
        status_code=status_code,
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _answer(
    request: Request,
    status_code: int,
    message: str,
    headers: dict[str, str] | None = None,
    extra: Mapping[str, object] | None = None,
) -> Response:
    if is_api(request):
        return JSONResponse(
            {"detail": message, **jsonable_encoder(extra or {})}, status_code, headers=headers
        )
    return error_page(request, status_code, message, headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, _exc: NotAuthenticated) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": _("Not logged in.")}, 401, headers={"WWW-Authenticate": "Bearer"}
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if is_api(request) or exc.status_code < 400:
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
        return error_page(request, exc.status_code, detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        if is_api(request):
            return JSONResponse({"detail": validation_detail(exc.errors())}, 422)
        return error_page(request, 400, _("The request was not understood."))

    @app.exception_handler(InvalidInput)
    async def invalid_input(request: Request, exc: InvalidInput) -> Response:
        if is_api(request):
            return JSONResponse(invalid_input_body(exc), 422)
        return error_page(request, 422, invalid_input_text(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, _exc: NotFound) -> Response:
        return _answer(request, 404, _("Not found."))

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return _answer(request, 403, str(exc) or _("Not allowed."))

    @app.exception_handler(StateConflict)
    async def state_conflict(request: Request, exc: StateConflict) -> Response:
        return _answer(request, 409, exc.message, extra=exc.details)

    @app.exception_handler(TooManyAttempts)
    async def too_many(request: Request, exc: TooManyAttempts) -> Response:
        return _answer(request, 429, exc.message, {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def number_out_of_range(request: Request, exc: Exception) -> Response:
        # Ids and numbers the database cannot hold (SQLite: 64 bits; PostgreSQL: 32 bits for
        # ids). No object has such an id, and no value of ours is that large.
        path = request.url.path.split("/")
        if any(is_ascii_number(part, 400) and int(part) > MAX_ID for part in path):
            return _answer(request, 404, _("Not found."))
        if is_api(request):
            return JSONResponse({"detail": [{"loc": ["body"], "type": "out_of_range",
                                             "msg": _("A number is out of range.")}]}, 422)
        return error_page(request, 422, _("A number is out of range."))

    @app.exception_handler(IntegrityError)
    async def constraint_violated(request: Request, exc: IntegrityError) -> Response:
        # Services check what they can; a constraint the database still refuses means
        # another request changed the same thing between the check and the write.
        log.info("concurrent change refused by the database: %s", _constraint(exc))
        return _answer(request, 409, concurrent_change())

    @app.exception_handler(NoSpace)
    async def no_space(request: Request, exc: NoSpace) -> Response:
        return _answer(request, 507, str(exc), {"Retry-After": "60"})

    @app.exception_handler(OSError)
    async def os_error(request: Request, exc: OSError) -> Response:
        # A full disk anywhere (an upload being placed, an export): say so, not 500.
        if exc.errno in NO_SPACE_ERRNOS:
            log.error("disk full: %s", exc)
            return _answer(request, 507, no_space_message(), {"Retry-After": "60"})
        log.exception("unhandled error", exc_info=exc)
        return _answer(request, 500, _("Something went wrong on our side. Please retry."))

    @app.exception_handler(PoolTimeout)
    @app.exception_handler(DBAPIError)
    async def database_fault(request: Request, exc: Exception) -> Response:
        return database_fault_answer(request, exc)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return _answer(request, 500, _("Something went wrong on our side. Please retry."))


def concurrent_change() -> str:
    return _("Someone else changed this at the same moment. Reload the page and try again.")


def _constraint(exc: IntegrityError) -> str:
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    return str(name) if name else " ".join(str(exc.orig).split())[:200]


def database_fault_answer(request: Request, exc: Exception) -> Response:
    """An answer for a database that is busy, unreachable, full or raced: never a 500
    for what the caller can retry (docs/architecture.md, "When the database fails")."""
    kind = database.fault_kind(exc)
    if kind == database.BUSY:
        database.BUSY_LOG.refused(exc)
        message = _("The database is busy. Please retry in a moment.")
        return _answer(request, 503, message, {"Retry-After": "2"})
    if kind == database.UNAVAILABLE:
        database.OUTAGE.failed(exc)
        message = _("The database cannot be reached; nothing was saved. Please retry soon.")
        return _answer(request, 503, message, {"Retry-After": "5"})
    if kind == database.CONFLICT:
        return _answer(request, 409, concurrent_change())
    if kind == database.DISK_FULL:
        log.error("database disk full: %s", " ".join(str(getattr(exc, "orig", exc)).split())[:300])
        message = _("The server's storage is full; nothing was saved. Please retry later.")
        return _answer(request, 507, message, {"Retry-After": "30"})
    log.exception("database error", exc_info=exc)
    return _answer(request, 500, _("Something went wrong on our side. Please retry."))
