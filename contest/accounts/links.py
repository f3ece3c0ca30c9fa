"""Single-use links sent by mail: confirm an address (7 days), reset a password (1 hour),
set the first password of an invited judge (7 days).

The secret is random (256 bits) and only its SHA-256 is stored, like sessions; a link
is deleted when used, and issuing a new reset or invitation link for an account ends
the older ones, so only the latest mail works.
"""

from datetime import timedelta

from sqlalchemy import delete, select
from sqlmodel import Session, col

from contest.core.db import changed_rows
from contest.core.security import new_token, token_digest
from contest.models import AccountToken, User, utcnow

LIFETIMES = {
    "confirm": timedelta(days=7),
    "reset": timedelta(hours=1),
    "invite": timedelta(days=7),
}
# Both set a password with POST /api/v1/auth/password-reset/confirm.
PASSWORD_PURPOSES = ("reset", "invite")


def issue(db: Session, user: User, purpose: str) -> str:
    """A new link secret for the user; older links of the same purpose stop working."""
    db.execute(
        delete(AccountToken).where(
            col(AccountToken.user_id) == user.id, col(AccountToken.purpose) == purpose
        )
    )
    token = new_token()
    db.add(
        AccountToken(
            id=token_digest(token),
            user_id=user.id,
            purpose=purpose,
            expires_at=utcnow() + LIFETIMES[purpose],
        )
    )
    db.flush()
    return token


def purpose_of(db: Session, token: str) -> str | None:
    """The purpose of a live link ("confirm", "reset", "invite"), or None: the page it
    opens speaks of it ("Set your password" for an invitation)."""
    if not token or len(token) > 200:
        return None
    return db.scalar(
        select(col(AccountToken.purpose)).where(
            col(AccountToken.id) == token_digest(token), col(AccountToken.expires_at) > utcnow()
        )
    )


def holder(db: Session, token: str, purposes: tuple[str, ...]) -> User | None:
    """The account a live link of these purposes belongs to, or None (unknown, used or
    expired all look the same)."""
    if not token or len(token) > 200:
        return None
    row = db.scalars(
        select(AccountToken).where(
            col(AccountToken.id) == token_digest(token),
            col(AccountToken.purpose).in_(purposes),
            col(AccountToken.expires_at) > utcnow(),
        )
    ).first()
    return db.get(User, row.user_id) if row else None


def use(db: Session, token: str) -> bool:
    """Spend the link: True for the one request that deletes it (two at once: one wins)."""
    return changed_rows(
        db, delete(AccountToken).where(col(AccountToken.id) == token_digest(token))
    ) == 1


def forget_all(db: Session, user_id: int) -> None:
    """A password set from any link ends every other outstanding link of the account."""
    db.execute(delete(AccountToken).where(col(AccountToken.user_id) == user_id))
