"""Throttling for the mailed-link routes (register, password reset, confirm), like log-in.

Each attempt is recorded under a hash of (action, what it names, the client); past the
limit within the window the answer is 429 whatever the account: the same for an address
that has an account and one that has none, so throttling reveals nothing either. The
rows share the `login_failures` table with log-in (different keys).
"""

import hashlib
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from contest.core.errors import TooManyAttempts
from contest.core.i18n import _
from contest.models import LoginFailure, utcnow

WINDOW = timedelta(minutes=15)
# Per address and client: a person retrying a lost mail a few times is fine.
PER_SUBJECT = 5
# Per client, whatever it names: one machine probing many addresses.
PER_CLIENT = 20


def _key(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def check(db: Session, action: str, subject: str, client: str) -> None:
    """Count this attempt, or refuse it (TooManyAttempts) when over a limit."""
    now = utcnow()
    keys = {
        _key(action, subject.strip().casefold(), client): PER_SUBJECT,
        _key(action, "*", client): PER_CLIENT,
    }
    for key, limit in keys.items():
        count = db.scalar(
            select(func.count())
            .select_from(LoginFailure)
            .where(col(LoginFailure.key) == key, col(LoginFailure.at) > now - WINDOW)
        )
        if (count or 0) >= limit:
            raise TooManyAttempts(
                _("Too many attempts. Wait 15 minutes and try again."),
                retry_after=int(WINDOW.total_seconds()),
            )
    db.execute(delete(LoginFailure).where(col(LoginFailure.at) < now - WINDOW - WINDOW))
    for key in keys:
        db.add(LoginFailure(key=key, at=now))
    db.flush()
