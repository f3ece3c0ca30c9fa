"""API routes: tokens, the caller, team registration, the account's life cycle."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from contest.accounts import service as auth
from contest.accounts import throttle
from contest.accounts.schemas import (
    Accepted,
    ConfirmAddress,
    PasswordChange,
    ResetConfirm,
    ResetRequest,
    SessionPublic,
    Token,
    UserPublic,
    UserRegister,
)
from contest.accounts.service import TOKEN_LIFETIME, LoginFailed, NotConfirmed
from contest.core import sessions
from contest.core.errors import InvalidInput, TooManyAttempts
from contest.core.i18n import _
from contest.core.web.deps import AppSettings, CurrentUser, DbSession, client_address
from contest.core.web.errors import invalid_input_body
from contest.notices.service import mail_configured

router = APIRouter(tags=["auth"])


class ErrorDetail(BaseModel):
    detail: str


def client_of(request: Request) -> str:
    """The program that holds a session, for its owner's list (its User-Agent)."""
    return request.headers.get("user-agent", "")[:200]


def refused(exc: InvalidInput) -> Response:
    """A 422 answered rather than raised, so that the throttle's count of this attempt is
    committed with the request (a raised error rolls it back)."""
    return JSONResponse(invalid_input_body(exc), status.HTTP_422_UNPROCESSABLE_CONTENT)


def unauthorised(message: str) -> Response:
    # Answered, not raised: the failure just recorded for throttling must be committed.
    return JSONResponse(
        {"detail": message}, status.HTTP_401_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"}
    )


@router.post(
    "/auth/token",
    response_model=Token,
    responses={401: {"model": ErrorDetail}, 429: {"model": ErrorDetail}},
)
def issue_token(
    request: Request, db: DbSession, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> Token | Response:
    """OAuth2 password flow: `username` is the e-mail address."""
    address = client_address(request)
    try:
        user = auth.authenticate(db, email=form.username, password=form.password, client=address)
    except LoginFailed:
        return unauthorised(_("Incorrect e-mail or password."))
    except NotConfirmed:
        return unauthorised(
            _("Confirm your e-mail address first: open the link in the mail we sent you.")
        )
    token = sessions.start_session(
        db, user, kind="token", lifetime=TOKEN_LIFETIME, client=client_of(request), address=address
    )
    return Token(access_token=token, token_type="bearer")  # noqa: S106


@router.delete("/auth/token", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(request: Request, db: DbSession, user: CurrentUser) -> None:
    """End the token this call was made with: it stops working at once."""
    sessions.end_session(db, request.state.auth_token)


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/auth/register",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    responses={202: {"model": Accepted}, 429: {"model": ErrorDetail}},
)
def register(
    request: Request, body: UserRegister, db: DbSession, settings: AppSettings
) -> UserPublic | Response:
    """Create a team account. With mail configured the answer is 202 whatever the address
    (the mail says "confirm" or "you already have an account"); without, 201 with the
    account, usable at once. Organisers and judges are created by organisers or the CLI."""
    throttle.check(db, "register", body.email, client_address(request))
    try:
        agreed = auth.check_registration(
            db,
            email=body.email,
            password=body.password,
            name=body.name,
            privacy_consent=body.privacy_consent,
            consent_required=settings.require_api_consent,
            unique=not mail_configured(settings),
        )
        if mail_configured(settings):
            auth.register_by_mail(
                db, email=body.email, password=body.password, name=body.name, consented=agreed
            )
            detail = _("Check your mail: we sent a message to this address to go on.")
            return JSONResponse({"detail": detail}, status.HTTP_202_ACCEPTED)
        user = auth.register_team(
            db, email=body.email, password=body.password, name=body.name, consented=agreed
        )
    except InvalidInput as exc:
        return refused(exc)
    return UserPublic.model_validate(user, from_attributes=True)


@router.post("/auth/confirm", status_code=status.HTTP_204_NO_CONTENT)
def confirm(request: Request, body: ConfirmAddress, db: DbSession) -> Response:
    """Confirm a new account's address with the token of the mailed link."""
    throttle.check(db, "confirm", "", client_address(request))
    try:
        auth.confirm_address(db, body.token)
    except InvalidInput as exc:
        return refused(exc)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/auth/password-reset", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted
)
def password_reset(request: Request, body: ResetRequest, db: DbSession) -> Accepted:
    """Mail a reset link if the address has an account. Always 202, the same answer: it
    says nothing about the address; past the throttle nothing more is sent."""
    try:
        throttle.check(db, "reset", body.email, client_address(request))
    except TooManyAttempts:
        pass
    else:
        auth.request_reset(db, body.email)
    return Accepted(detail=_("If this address has an account, a link to choose a new password is on its way."))  # noqa: E501 (one msgid)


@router.post("/auth/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
def password_reset_confirm(request: Request, body: ResetConfirm, db: DbSession) -> Response:
    """Set a new password with a reset or invitation link's token; every session and
    token of the account ends."""
    throttle.check(db, "reset-confirm", "", client_address(request))
    try:
        auth.reset_password(db, body.token, body.password)
    except InvalidInput as exc:
        return refused(exc)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(request: Request, body: PasswordChange, db: DbSession, user: CurrentUser) -> None:  # noqa: E501
    """Change the caller's password; their other sessions and tokens end, this one stays."""
    auth.change_password(
        db,
        user,
        current=body.current_password,
        new=body.new_password,
        keep_token=request.state.auth_token,
    )


@router.get("/me/sessions", response_model=list[SessionPublic])
def my_sessions(request: Request, db: DbSession, user: CurrentUser) -> list[SessionPublic]:
    """The caller's browser sessions and API tokens; `current` is the one of this call."""
    current = sessions.session_id(request.state.auth_token)
    return [
        SessionPublic.model_validate(
            {**row.model_dump(), "current": row.id == current}
        )
        for row in sessions.sessions_of(db, user.id)
    ]


@router.delete("/me/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
def end_my_session(session_id: str, db: DbSession, user: CurrentUser) -> None:
    """End one of the caller's sessions or tokens; an id not theirs changes nothing."""
    sessions.end_session_of(db, user, session_id[:64])
