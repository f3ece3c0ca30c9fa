"""Pages: log in, log out, register a team account, confirm an address, forgotten and
reset passwords, the account page (password change, sessions and tokens)."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from contest.accounts import links, throttle
from contest.accounts import service as auth
from contest.accounts.service import ROLE_HOMES
from contest.consent import service as consent
from contest.core import sessions
from contest.core.errors import InvalidInput, TooManyAttempts
from contest.core.i18n import _
from contest.core.security import csrf_binding, new_csrf_token, sign
from contest.core.web.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AppSettings,
    CurrentUser,
    DbSession,
    OptionalUser,
    client_address,
)
from contest.core.web.templating import redirect, render, safe_next
from contest.models import User
from contest.notices.service import mail_configured

router = APIRouter()


def _logged_in(request: Request, db: DbSession, user: User, next_url: str) -> Response:
    """Start a fresh session: a new session id and a new CSRF token (no fixation)."""
    settings = request.app.state.settings
    old_cookie = request.cookies.get(SESSION_COOKIE)
    old_token = sessions.session_token_from_cookie(settings.secret_key, old_cookie or "")
    if old_token:
        sessions.end_session(db, old_token)
    lifetime = timedelta(days=settings.session_days)
    token = sessions.start_session(
        db,
        user,
        kind="cookie",
        lifetime=lifetime,
        client=request.headers.get("user-agent", ""),
        address=client_address(request),
    )
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
    except auth.NotConfirmed:
        error = _("Confirm your e-mail address first: open the link in the mail we sent you.")
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
    context = {"values": {}, "errors": {}, "notice": consent.site_notice()}
    return render(request, "register.html", context)


@router.post("/register", response_class=HTMLResponse)
def register(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    name: Annotated[str, Form(max_length=100)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    privacy_consent: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    context = {"values": {"name": name, "email": email}, "notice": consent.site_notice()}
    try:
        throttle.check(db, "register", email, client_address(request))
        by_mail = mail_configured(settings)
        auth.check_registration(
            db, email=email, password=password, name=name, unique=not by_mail,
            privacy_consent=privacy_consent == "1" or None, consent_required=True,
        )
        with db.begin_nested():
            if by_mail:
                auth.register_by_mail(
                    db, email=email, password=password, name=name, consented=True
                )
                return render(request, "check_mail.html", {"email": email.strip()})
            user = auth.register_team(
                db, email=email, password=password, name=name, consented=True
            )
    except InvalidInput as exc:
        return render(
            request, "register.html", {**context, "errors": exc.by_field()}, status_code=422
        )
    except TooManyAttempts as exc:
        return render(
            request, "register.html", {**context, "errors": {"email": exc.message}}, status_code=429
        )
    return _logged_in(request, db, user, "/team")


@router.get("/confirm/{token}", response_class=HTMLResponse)
def confirm_page(request: Request, token: str) -> Response:
    """The link of the confirmation mail: a button confirms (a mail scanner that only
    fetches the link confirms nothing)."""
    return render(request, "confirm.html", {"token": token[:200]})


@router.post("/confirm/{token}", response_class=HTMLResponse)
def confirm(request: Request, db: DbSession, token: str) -> Response:
    try:
        throttle.check(db, "confirm", "", client_address(request))
        with db.begin_nested():
            auth.confirm_address(db, token[:200])
    except (InvalidInput, TooManyAttempts) as exc:
        message = exc.message if isinstance(exc, TooManyAttempts) else exc.by_field()["token"]
        return render(
            request, "confirm.html", {"token": token[:200], "error": message}, status_code=400
        )
    return redirect(request, "/login", _("Your address is confirmed. You can log in now."))


@router.get("/forgot", response_class=HTMLResponse)
def forgot_page(request: Request) -> Response:
    return render(request, "forgot.html", {"email": ""})


@router.post("/forgot", response_class=HTMLResponse)
def forgot(
    request: Request, db: DbSession, email: Annotated[str, Form(max_length=254)] = ""
) -> Response:
    """The same page whatever the address: it says nothing about who has an account."""
    try:
        throttle.check(db, "reset", email, client_address(request))
    except TooManyAttempts:
        pass
    else:
        auth.request_reset(db, email)
    return render(request, "forgot.html", {"email": email.strip(), "sent": True})


def _reset_context(db: DbSession, token: str) -> dict[str, object]:
    """The reset page's words: "Set your password" for an invitation's link (a new
    account), "Choose a new password" for a reset link."""
    purpose = links.purpose_of(db, token)
    return {
        "token": token,
        "valid": purpose in links.PASSWORD_PURPOSES,
        "invitation": purpose == "invite",
        "errors": {},
    }


@router.get("/reset/{token}", response_class=HTMLResponse)
def reset_page(request: Request, db: DbSession, token: str) -> Response:
    return render(request, "reset.html", _reset_context(db, token[:200]))


@router.post("/reset/{token}", response_class=HTMLResponse)
def reset(
    request: Request,
    db: DbSession,
    token: str,
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    context = _reset_context(db, token[:200])
    try:
        throttle.check(db, "reset-confirm", "", client_address(request))
        with db.begin_nested():
            auth.reset_password(db, token[:200], password)
    except InvalidInput as exc:
        errors = exc.by_field()
        context |= {"valid": "token" not in errors, "errors": errors}
        return render(request, "reset.html", context, status_code=422)
    except TooManyAttempts as exc:
        context |= {"errors": {"password": exc.message}}
        return render(request, "reset.html", context, status_code=429)
    done = (
        _("Your password is set. Log in with it.")
        if context["invitation"]
        else _("Your new password is set. Log in with it.")
    )
    response = redirect(request, "/login", done)
    response.delete_cookie(SESSION_COOKIE)
    return response


def _account_context(request: Request, db: DbSession, user: User) -> dict[str, object]:
    current = request.state.auth_token
    return {
        "sessions": sessions.sessions_of(db, user.id),
        "current_id": sessions.session_id(current) if current else "",
        "errors": {},
    }


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, db: DbSession, user: CurrentUser) -> Response:
    return render(request, "account.html", _account_context(request, db, user))


@router.post("/account/password", response_class=HTMLResponse)
def account_password(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    current_password: Annotated[str, Form(max_length=200)] = "",
    new_password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        with db.begin_nested():
            auth.change_password(
                db,
                user,
                current=current_password,
                new=new_password,
                keep_token=request.state.auth_token,
            )
    except InvalidInput as exc:
        context = {**_account_context(request, db, user), "errors": exc.by_field()}
        return render(request, "account.html", context, status_code=422)
    message = _("Your password is changed; your other sessions and tokens have ended.")
    return redirect(request, "/account", message)


@router.post("/account/sessions/end", response_class=HTMLResponse)
def account_end_session(
    request: Request,
    db: DbSession,
    user: CurrentUser,
    session_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """End one of the user's sessions or tokens (ending the current one logs out)."""
    sessions.end_session_of(db, user, session_id)
    current = request.state.auth_token
    if current and sessions.session_id(current) == session_id:
        response = redirect(request, "/", _("You have logged out."))
        response.delete_cookie(SESSION_COOKIE)
        return response
    return redirect(request, "/account", _("The session has ended."))
