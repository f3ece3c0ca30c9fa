"""Accounts, their sessions and failed log-ins."""

from datetime import datetime

from sqlalchemy import CheckConstraint, String
from sqlmodel import Field, SQLModel

from contest.core.enums import Role
from contest.models.base import UTCDateTime, optional_time, primary_key, timestamp


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('organiser', 'judge', 'team')", name="role"),)

    id: int = primary_key()
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=100)
    role: Role = Field(sa_type=String(16))
    password_hash: str = Field(max_length=255)
    institution: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=32)
    locale: str = Field(default="", max_length=8)
    is_active: bool = True
    created_at: datetime = timestamp()
    last_login_at: datetime | None = optional_time()


class AuthSession(SQLModel, table=True):
    """A browser session or an API token; only the SHA-256 of the secret is stored."""

    __tablename__ = "auth_sessions"
    __table_args__ = (CheckConstraint("kind IN ('cookie', 'token')", name="kind"),)

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=8)
    created_at: datetime = timestamp()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class LoginFailure(SQLModel, table=True):
    """One failed log-in, keyed by a hash of (account, client), kept for throttling."""

    __tablename__ = "login_failures"

    id: int = primary_key()
    key: str = Field(max_length=64, index=True)
    at: datetime = timestamp()
