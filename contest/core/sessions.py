"""Log-in sessions and API tokens: random tokens of which only a digest is stored.

A browser session and a bearer token are the same row with a different `kind`; ending
one deletes its row, so a copied cookie or token stops working at once. The owner sees
their rows (created, last used, client) and can end any of them.
"""

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select, update
from sqlmodel import Session, col

from contest.core.security import new_token, token_digest, unsign
from contest.models import AuthSession, User, utcnow

# `last_used_at` is written at most this often per session: a write per request would
# cost every page view a transaction; the list only needs "a few minutes ago".
TOUCH_EVERY = timedelta(minutes=5)


def start_session(
    db: Session,
    user: User,
    *,
    kind: str,
    lifetime: timedelta,
    client: str = "",
    address: str = "",
) -> str:
    """A new random token for the user; only its digest is stored."""
    token = new_token()
    now = utcnow()
    db.add(
        AuthSession(
            id=token_digest(token),
            user_id=user.id,
            kind=kind,
            expires_at=now + lifetime,
            last_used_at=now,
            client=client[:200],
            address=address[:64],
        )
    )
    db.flush()
    return token


def end_session(db: Session, token: str) -> None:
    db.execute(delete(AuthSession).where(col(AuthSession.id) == token_digest(token)))


def end_session_of(db: Session, user: User, session_id: str) -> None:
    """End one of the user's own sessions or tokens by its id (the digest); an id that is
    not theirs changes nothing (and says nothing)."""
    db.execute(
        delete(AuthSession).where(
            col(AuthSession.id) == session_id, col(AuthSession.user_id) == user.id
        )
    )


def end_all(db: Session, user_id: int, *, keep: str | None = None) -> None:
    """End every session and token of the account, except the one whose token is `keep`."""
    statement = delete(AuthSession).where(col(AuthSession.user_id) == user_id)
    if keep:
        statement = statement.where(col(AuthSession.id) != token_digest(keep))
    db.execute(statement)


def sessions_of(db: Session, user_id: int) -> Sequence[AuthSession]:
    """The account's live sessions and tokens, most recently used first."""
    return db.scalars(
        select(AuthSession)
        .where(col(AuthSession.user_id) == user_id, col(AuthSession.expires_at) > utcnow())
        .order_by(col(AuthSession.last_used_at).desc(), col(AuthSession.created_at).desc())
    ).all()


def session_id(token: str) -> str:
    return token_digest(token)


# Built once: every API call and page view runs it.
USER_FOR_TOKEN = (
    select(User, col(AuthSession.last_used_at))
    .join(AuthSession, col(AuthSession.user_id) == User.id)
    .where(
        col(AuthSession.id) == bindparam("digest"),
        col(AuthSession.kind) == bindparam("kind"),
        AuthSession.expires_at > bindparam("now"),
        col(User.is_active).is_(True),
    )
)


def lookup(db: Session, token: str, kind: str) -> tuple[User, bool] | None:
    """The user of a live token of this kind, and whether its `last_used_at` is due for
    an update (older than TOUCH_EVERY)."""
    now = utcnow()
    row = db.execute(
        USER_FOR_TOKEN, {"digest": token_digest(token), "kind": kind, "now": now}
    ).first()
    if row is None:
        return None
    user, last_used = row
    return user, last_used is None or last_used < now - TOUCH_EVERY


def touch(db: Session, token: str, at: datetime | None = None) -> None:
    db.execute(
        update(AuthSession)
        .where(col(AuthSession.id) == token_digest(token))
        .values(last_used_at=at or utcnow())
    )


def _user_for(db: Session, token: str, kind: str) -> User | None:
    found = lookup(db, token, kind)
    return found[0] if found else None


def user_for_token(db: Session, token: str) -> User | None:
    return _user_for(db, token, "token")


def session_token_from_cookie(secret_key: str, cookie: str) -> str | None:
    return unsign(secret_key, cookie, "session")


def user_for_cookie(db: Session, secret_key: str, cookie: str) -> User | None:
    token = session_token_from_cookie(secret_key, cookie)
    return _user_for(db, token, "cookie") if token else None
