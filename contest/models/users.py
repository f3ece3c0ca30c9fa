"""Accounts, their sessions and failed log-ins."""

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlmodel import Field, SQLModel

from contest.core.enums import Role
from contest.models.base import UTCDateTime, optional_time, primary_key, timestamp


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('organiser', 'judge', 'team', 'investor')", name="role"),
    )

    id: int = primary_key()
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=100)
    role: Role = Field(sa_type=String(16))
    password_hash: str = Field(max_length=255)
    institution: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=32)
    locale: str = Field(default="", max_length=8)
    is_active: bool = True
    # Registered with mail configured and not yet confirmed from the mailbox: cannot log in.
    awaiting_confirmation: bool = False
    created_at: datetime = timestamp()
    last_login_at: datetime | None = optional_time()
    # The site's privacy notice agreed to at sign-up (contest/consent/texts.py): its version
    # and when; None for accounts made by organisers or the CLI, or before consent existed.
    privacy_version: int | None = None
    privacy_consented_at: datetime | None = optional_time()
    # Set when an organiser erased the account's personal data (contest/privacy/erase.py).
    erased_at: datetime | None = optional_time()


class AuthSession(SQLModel, table=True):
    """A browser session or an API token; only the SHA-256 of the secret is stored."""

    __tablename__ = "auth_sessions"
    __table_args__ = (CheckConstraint("kind IN ('cookie', 'token')", name="kind"),)

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=8)
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # For the owner's list of sessions: when it was last used (to within a few minutes),
    # the browser or program that started it, and from which address.
    last_used_at: datetime | None = optional_time()
    client: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=64)


class AccountToken(SQLModel, table=True):
    """A single-use link sent by mail: confirm an address, reset a password, or set the
    first password of an invited account. Only the SHA-256 of the secret is stored; the
    row is deleted when used."""

    __tablename__ = "account_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('confirm', 'reset', 'invite')", name="purpose"),
    )

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=8)
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class LoginFailure(SQLModel, table=True):
    """One failed log-in, keyed by a hash of (account, client), kept for throttling."""

    __tablename__ = "login_failures"

    id: int = primary_key()
    key: str = Field(max_length=64, index=True)
    at: datetime = timestamp()
