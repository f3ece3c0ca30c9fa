"""Accounts: creating them, logging in with throttling, sessions and API tokens."""

from datetime import timedelta

from sqlalchemy import bindparam, delete, func, select
from sqlmodel import Session

from contest.core.enums import Role
from contest.core.errors import FieldError, InvalidInput, TooManyAttempts
from contest.core.i18n import _
from contest.core.security import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    new_token,
    throttle_key,
    token_digest,
    unsign,
    verify_password,
)
from contest.core.validation import valid_email
from contest.models import AuthSession, LoginFailure, User, utcnow

MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=5)
TOKEN_LIFETIME = timedelta(days=30)


class LoginFailed(Exception):
    """Wrong e-mail or password; deliberately does not say which."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(db: Session, email: str) -> User | None:
    return db.scalars(select(User).where(User.email == normalise_email(email))).first()


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
        .where(LoginFailure.key == key, LoginFailure.at > now - FAILURE_WINDOW)
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
        db.execute(delete(LoginFailure).where(LoginFailure.at < now - FAILURE_WINDOW))
        db.add(LoginFailure(key=key, at=now))
        raise LoginFailed()
    user.last_login_at = now
    return user


def start_session(db: Session, user: User, *, kind: str, lifetime: timedelta) -> str:
    """A new random token for the user; only its digest is stored."""
    token = new_token()
    db.add(
        AuthSession(
            id=token_digest(token), user_id=user.id, kind=kind, expires_at=utcnow() + lifetime
        )
    )
    db.flush()
    return token


def end_session(db: Session, token: str) -> None:
    db.execute(delete(AuthSession).where(AuthSession.id == token_digest(token)))


# Built once: every API call and page view runs it.
USER_FOR_TOKEN = (
    select(User)
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(
        AuthSession.id == bindparam("digest"),
        AuthSession.kind == bindparam("kind"),
        AuthSession.expires_at > bindparam("now"),
        User.is_active.is_(True),
    )
)


def _user_for(db: Session, token: str, kind: str) -> User | None:
    return db.scalars(
        USER_FOR_TOKEN, {"digest": token_digest(token), "kind": kind, "now": utcnow()}
    ).first()


def user_for_token(db: Session, token: str) -> User | None:
    return _user_for(db, token, "token")


def session_token_from_cookie(secret_key: str, cookie: str) -> str | None:
    return unsign(secret_key, cookie, "session")


def user_for_cookie(db: Session, secret_key: str, cookie: str) -> User | None:
    token = session_token_from_cookie(secret_key, cookie)
    return _user_for(db, token, "cookie") if token else None
