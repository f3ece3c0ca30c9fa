"""Shapes for accounts and tokens."""

from datetime import datetime

from pydantic import BaseModel, Field

from contest.core.enums import Role


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105


class UserPublic(BaseModel):
    id: int
    email: str
    name: str
    role: Role


class UserRegister(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    name: str = Field(max_length=100)
    # Agreement to the site's privacy notice (GET /api/v1/privacy-notice); false is
    # refused (422), and so is no answer when TIANJIAO_REQUIRE_API_CONSENT is set.
    privacy_consent: bool | None = None


class Accepted(BaseModel):
    """A request taken in: what happens next is told by mail."""

    detail: str


class LinkSent(BaseModel):
    """An organiser sent an account a link to choose a password (the link itself is never
    shown to them); `mail_configured` false: it waits in the outbox and the server log."""

    detail: str
    mail_configured: bool


class ConfirmAddress(BaseModel):
    token: str = Field(max_length=200)


class ResetRequest(BaseModel):
    email: str = Field(max_length=254)


class ResetConfirm(BaseModel):
    token: str = Field(max_length=200)
    password: str = Field(max_length=200)


class PasswordChange(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


class SessionPublic(BaseModel):
    """One of the caller's browser sessions ("cookie") or API tokens ("token")."""

    id: str
    kind: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime
    client: str
    address: str
    current: bool
