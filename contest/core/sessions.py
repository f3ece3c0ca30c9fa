"""Log-in sessions and API tokens: random tokens of which only a digest is stored.

A browser session and a bearer token are the same row with a different `kind`; ending
one deletes its row, so a copied cookie or token stops working at once.
"""

from datetime import timedelta

from sqlalchemy import bindparam, delete, select
from sqlmodel import Session, col

from contest.core.security import new_token, token_digest, unsign
from contest.models import AuthSession, User, utcnow


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
    db.execute(delete(AuthSession).where(col(AuthSession.id) == token_digest(token)))


# Built once: every API call and page view runs it.
USER_FOR_TOKEN = (
    select(User)
    .join(AuthSession, col(AuthSession.user_id) == User.id)
    .where(
        col(AuthSession.id) == bindparam("digest"),
        col(AuthSession.kind) == bindparam("kind"),
        AuthSession.expires_at > bindparam("now"),
        col(User.is_active).is_(True),
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
