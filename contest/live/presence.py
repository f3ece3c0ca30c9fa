"""Who is following the live final: judges' phones and big screens report in.

The judges' live page and the big screen post a short report every
``REPORT_SECONDS``; one row per judge and per screen keeps the time of the last one.
A judge or screen counts as online when seen within ``ONLINE_SECONDS``. The reports
are separate from the polls of the live state, which stay reads (and cheap conditional
answers for a thousand audience phones).

A big screen proves it is one with the screen key of its round (a signature made with
the server's secret, put in the link the control page gives): audience phones open the
same page without it and do not report, so they cannot pass for the hall's screen.
"""

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from contest.core.security import sign, unsign
from contest.models import LivePresence, utcnow

REPORT_SECONDS = 15
ONLINE_SECONDS = 60
SCREEN_PURPOSE = "live-screen"


def judge_key(judge_id: int) -> str:
    return f"judge:{judge_id}"


def screen_key(screen_id: str) -> str:
    return f"screen:{screen_id}"


def screen_pass(secret_key: str, round_id: int) -> str:
    """What the big screen's link carries to prove it is the hall's screen."""
    return sign(secret_key, str(round_id), SCREEN_PURPOSE)


def screen_pass_valid(secret_key: str, round_id: int, value: str) -> bool:
    return unsign(secret_key, value, SCREEN_PURPOSE) == str(round_id)


def report(db: Session, round_id: int, key: str) -> None:
    """Record that ``key`` is following the round now (one row per key, updated)."""
    now = utcnow()
    changed = db.execute(
        update(LivePresence)
        .where(col(LivePresence.round_id) == round_id, col(LivePresence.key) == key)
        .values(seen_at=now)
    )
    if changed.rowcount:  # type: ignore[attr-defined]
        return
    try:
        with db.begin_nested():
            db.add(LivePresence(round_id=round_id, key=key, seen_at=now))
    except IntegrityError:  # a second report of the same key raced us: it is recorded
        pass


def last_seen(db: Session, round_id: int) -> dict[str, datetime]:
    """key -> when it last reported, for every key of the round."""
    rows = db.execute(
        select(col(LivePresence.key), col(LivePresence.seen_at)).where(
            col(LivePresence.round_id) == round_id
        )
    ).all()
    return {key: seen_at for key, seen_at in rows}


def online(seen_at: datetime | None, now: datetime | None = None) -> bool:
    if seen_at is None:
        return False
    return (now or utcnow()) - seen_at <= timedelta(seconds=ONLINE_SECONDS)


def screens_online(seen: dict[str, datetime], now: datetime | None = None) -> int:
    return sum(1 for key, at in seen.items() if key.startswith("screen:") and online(at, now))
