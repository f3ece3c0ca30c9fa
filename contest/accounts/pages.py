"""Pages: log in, log out, register a team account."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contest.accounts import service as auth
from contest.accounts.service import ROLE_HOMES
from contest.core import sessions
from contest.core.enums import Role
from contest.core.errors import InvalidInput, TooManyAttempts
from contest.core.i18n import _
from contest.core.security import csrf_binding, new_csrf_token, sign
from contest.core.web.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    DbSession,
    OptionalUser,
    client_address,
)
from contest.core.web.templating import redirect, render, safe_next
from contest.models import User

router = APIRouter()


def _logged_in(request: Request, db: DbSession, user: User, next_url: str) -> Response:
    """Start a fresh session: a new session id and a new CSRF token (no fixation)."""
    settings = request.app.state.settings
    old_cookie = request.cookies.get(SESSION_COOKIE)
    old_token = sessions.session_token_from_cookie(settings.secret_key, old_cookie or "")
    if old_token:
        sessions.end_session(db, old_token)
    lifetime = timedelta(days=settings.session_days)
    token = sessions.start_session(db, user, kind="cookie", lifetime=lifetime)
    target = safe_next(next_url) if next_url else ROLE_HOMES[user.role]
    response = redirect(request, target, _("Welcome, %(name)s.") % {"name": user.name})
    response.set_cookie(
        SESSION_COOKIE,
        sign(settings.secret_key, token, "session"),
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    response.set_cookie(
        CSRF_COOKIE,
        new_csrf_token(settings.secret_key, csrf_binding(token)),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, user: OptionalUser, next: str = "") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next) if next else ROLE_HOMES[user.role], 303)
    return render(request, "login.html", {"next": next, "email": ""})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    db: DbSession,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        user = auth.authenticate(db, email=email, password=password, client=client_address(request))
    except auth.LoginFailed:
        error = _("Incorrect e-mail or password.")
        return render(
            request, "login.html", {"next": next, "email": email, "error": error}, status_code=400
        )
    except TooManyAttempts as exc:
        return render(
            request,
            "login.html",
            {"next": next, "email": email, "error": exc.message},
            status_code=429,
        )
    return _logged_in(request, db, user, next)


@router.post("/logout")
def logout(request: Request, db: DbSession) -> Response:
    settings = request.app.state.settings
    token = sessions.session_token_from_cookie(
        settings.secret_key, request.cookies.get(SESSION_COOKIE, "")
    )
    if token:
        sessions.end_session(db, token)
    response = redirect(request, "/", _("You have logged out."))
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, user: OptionalUser) -> Response:
    if user is not None:
        return RedirectResponse(ROLE_HOMES[user.role], 303)
    return render(request, "register.html", {"values": {}, "errors": {}})


@router.post("/register", response_class=HTMLResponse)
def register(
    request: Request,
    db: DbSession,
    name: Annotated[str, Form(max_length=100)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        user = auth.create_user(db, role=Role.team, email=email, password=password, name=name)
    except InvalidInput as exc:
        return render(
            request,
            "register.html",
            {"values": {"name": name, "email": email}, "errors": exc.by_field()},
            status_code=422,
        )
    return _logged_in(request, db, user, "/team")
