"""Accounts: creating them, logging in with throttling, sessions and API tokens."""

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from contest.core.enums import Role
from contest.core.errors import FieldError, InvalidInput, TooManyAttempts
from contest.core.i18n import _
from contest.core.security import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    throttle_key,
    verify_password,
)
from contest.core.validation import valid_email
from contest.models import LoginFailure, User, utcnow

MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=5)
TOKEN_LIFETIME = timedelta(days=30)
# Where each role lands after logging in.
ROLE_HOMES = {"organiser": "/manage", "judge": "/judge", "team": "/team"}


class LoginFailed(Exception):
    """Wrong e-mail or password; deliberately does not say which."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(db: Session, email: str) -> User | None:
    return db.scalars(select(User).where(col(User.email) == normalise_email(email))).first()


def check_new_account(db: Session, *, email: str, password: str, name: str) -> None:
    """Field-level checks for a new account; raises InvalidInput naming every bad field."""
    errors = []
    if not valid_email(normalise_email(email)):
        errors.append(("email", _("Enter a valid e-mail address.")))
    elif user_by_email(db, email) is not None:
        errors.append(("email", _("An account with this e-mail address already exists.")))
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.append(("password", _("The password must have at least 8 characters.")))
    if not name.strip():
        errors.append(("name", _("Enter a name.")))
    if errors:
        raise InvalidInput(FieldError((field,), message) for field, message in errors)


def create_user(
    db: Session,
    *,
    role: Role,
    email: str,
    password: str,
    name: str,
    institution: str = "",
    phone: str = "",
) -> User:
    check_new_account(db, email=email, password=password, name=name)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        password_hash=hash_password(password),
        institution=institution.strip(),
        phone=phone.strip(),
    )
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, *, email: str, password: str, client: str) -> User:
    """The user for these credentials, or LoginFailed; throttled per (account, client)."""
    key = throttle_key(email, client)
    now = utcnow()
    failures = db.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(col(LoginFailure.key) == key, col(LoginFailure.at) > now - FAILURE_WINDOW)
    )
    if (failures or 0) >= MAX_FAILURES:
        # The same answer whether or not the account exists: throttling reveals nothing.
        raise TooManyAttempts(
            _("Too many failed log-ins. Wait 5 minutes and try again."),
            retry_after=int(FAILURE_WINDOW.total_seconds()),
        )
    user = user_by_email(db, email)
    if not verify_password(password, user.password_hash if user else None) or not (
        user and user.is_active
    ):
        db.execute(delete(LoginFailure).where(col(LoginFailure.at) < now - FAILURE_WINDOW))
        db.add(LoginFailure(key=key, at=now))
        raise LoginFailed()
    user.last_login_at = now
    return user
