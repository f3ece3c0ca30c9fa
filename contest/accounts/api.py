"""API routes: tokens, the caller, team registration."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from contest.accounts import service as auth
from contest.accounts.schemas import Token, UserPublic, UserRegister
from contest.accounts.service import TOKEN_LIFETIME, LoginFailed
from contest.core import sessions
from contest.core.enums import Role
from contest.core.i18n import _
from contest.core.web.deps import CurrentUser, DbSession, client_address

router = APIRouter(tags=["auth"])


class ErrorDetail(BaseModel):
    detail: str


@router.post(
    "/auth/token",
    response_model=Token,
    responses={401: {"model": ErrorDetail}, 429: {"model": ErrorDetail}},
)
def issue_token(
    request: Request, db: DbSession, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> Token:
    """OAuth2 password flow: `username` is the e-mail address."""
    try:
        user = auth.authenticate(
            db, email=form.username, password=form.password, client=client_address(request)
        )
    except LoginFailed:
        # Answered, not raised: the failure just recorded for throttling must be committed.
        return JSONResponse(  # type: ignore[return-value]
            {"detail": _("Incorrect e-mail or password.")},
            status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = sessions.start_session(db, user, kind="token", lifetime=TOKEN_LIFETIME)
    return Token(access_token=token, token_type="bearer")  # noqa: S106


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user, from_attributes=True)


@router.post("/auth/register", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def register(body: UserRegister, db: DbSession) -> UserPublic:
    """Create a team account. Organisers and judges are created by organisers or the CLI."""
    user = auth.create_user(
        db, role=Role.team, email=body.email, password=body.password, name=body.name
    )
    return UserPublic.model_validate(user, from_attributes=True)
