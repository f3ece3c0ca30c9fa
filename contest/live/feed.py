"""The public live state as a thousand audience phones poll it: built once per change,
answered to everyone else from memory, and as "304 Not Modified" to those who have it.

A full live view costs several queries (the order, the submitted sheets, the revealed
scores through the results service). Each worker process keeps the last JSON it built
for a round together with a *stamp*: one cheap query of what makes the public view
change (the live state's revision, the round's submitted sheets and assignments, the
latest draw). A poll reads the stamp; while it is unchanged (and the copy is younger
than ``MAX_AGE`` seconds, which covers rare edits such as a corrected title) the copy is
answered. Nothing is shared between processes and nothing is trusted beyond the stamp,
so any worker answers any poll alike (contest/live/README.md, "What screens poll").

The body's ETag is a hash of the JSON without the server's clock (``timers.now``, put
in fresh on every answer so screens keep their clocks in step); a poll that sends it
back in ``If-None-Match`` gets an empty 304.
"""

import hashlib
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from contest.core.enums import SheetState
from contest.core.i18n import current_locale
from contest.live import view as live_view
from contest.models import Assignment, Draw, LiveState, Publication, Round, ScoreSheet, utcnow

MAX_AGE = 5.0
# A copy checked this recently is answered without a query at all: the price of a poll
# becomes routing and a few bytes, and a change is seen at most this much later.
FRESH = 0.5
# While one request of this worker rebuilds or re-checks a copy, the others keep
# answering the copy they have for up to this long: a thousand polls arriving in the
# query's few milliseconds would otherwise each run it (a stampede that queued the hall
# behind itself). A database that hangs longer lets the next request try for itself.
STALE = 3.0
# Stands for the server's clock in the cached JSON; replaced on every answer.
_CLOCK = datetime(2000, 1, 1, tzinfo=UTC)
_CLOCK_JSON = b'"now":"2000-01-01T00:00:00Z"'

Stamp = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Built:
    stamp: Stamp
    at: float  # when it was built
    template: bytes
    etag: str
    checked: float = 0.0  # when its stamp (and the caller's right to see it) was last checked

    def body(self) -> bytes:
        return with_clock(self.template)


# (database, round id, language) -> the last copy built in this process.
_cache: dict[tuple[str, int, str], Built] = {}
_lock = threading.Lock()
# Keys a request of this worker is refreshing now.
_refreshing: set[tuple[str, int, str]] = set()


def stamp(db: Session, round_id: int) -> Stamp:
    """What the public view depends on that changes during a final, in one query."""
    revision = (
        select(col(LiveState.revision)).where(col(LiveState.round_id) == round_id)
    ).scalar_subquery()
    # Each save bumps a sheet's revision: the sum moves when a sheet is reopened and
    # submitted again with other scores, even though the count is back where it was.
    sheets = (
        select(
            func.count(col(ScoreSheet.id)) * 1_000_000 + func.sum(col(ScoreSheet.revision))
        ).where(
            col(ScoreSheet.round_id) == round_id,
            col(ScoreSheet.state) == SheetState.submitted.value,
        )
    ).scalar_subquery()
    assigned = (
        select(func.count(col(Assignment.id))).where(col(Assignment.round_id) == round_id)
    ).scalar_subquery()
    drawn = (select(func.max(col(Draw.id))).where(col(Draw.round_id) == round_id)).scalar_subquery()
    # When the state last moved and when the round was made: a round re-created under the
    # same id (a database restored or emptied) never matches an old copy.
    moved = (
        select(col(LiveState.phase_changed_at)).where(col(LiveState.round_id) == round_id)
    ).scalar_subquery()
    made = (select(col(Round.created_at)).where(col(Round.id) == round_id)).scalar_subquery()
    # A publication made or withdrawn: the board then reads (or stops reading) its
    # snapshot, and the screen's notice of a correction changes.
    contest = select(col(Round.contest_id)).where(col(Round.id) == round_id).scalar_subquery()
    published = (
        select(func.count(col(Publication.id)) * 1_000 + func.count(col(Publication.withdrawn_at)))
        .where(col(Publication.contest_id) == contest)
    ).scalar_subquery()
    row = db.execute(select(revision, sheets, assigned, drawn, moved, made, published)).one()
    return tuple(row)


def cache_key(database_url: str, round_id: int) -> tuple[str, int, str]:
    """One copy per language too: the leaderboard's tie reasons and award names are words
    in the caller's language, and an English phone must not get the Chinese copy."""
    return (database_url, round_id, current_locale())


def public_state(db: Session, round_: Round) -> Built:
    """The round's public live state, built again only when its stamp moved (or the copy
    is older than MAX_AGE). The caller has checked that the public may see it."""
    current = stamp(db, round_.id)
    key = cache_key(str(db.get_bind().engine.url), round_.id)
    found = _cache.get(key)
    now = time.monotonic()
    if found is None or found.stamp != current or now - found.at > MAX_AGE:
        found = _build(db, round_, current)
    found = replace(found, checked=now)
    with _lock:
        _cache[key] = found
    return found


def answer_or_claim(key: tuple[str, int, str]) -> tuple[Built | None, bool]:
    """The copy to answer a public poll with, or (None, claimed): claimed is True when the
    caller is now the one request refreshing this key and must call `release(key)`.

    A copy checked within FRESH seconds is answered; an older one too, within STALE
    seconds, while another request refreshes it."""
    now = time.monotonic()
    with _lock:
        found = _cache.get(key)
        age = now - found.checked if found is not None else None
        if age is not None and age <= FRESH:
            return found, False
        if key in _refreshing:
            return (found, False) if age is not None and age <= STALE else (None, False)
        _refreshing.add(key)
        return None, True


def release(key: tuple[str, int, str]) -> None:
    with _lock:
        _refreshing.discard(key)


def with_clock(template: bytes) -> bytes:
    now = utcnow().isoformat().replace("+00:00", "Z")
    return template.replace(_CLOCK_JSON, b'"now":"' + now.encode() + b'"', 1)


def _build(db: Session, round_: Round, current: Stamp) -> Built:
    view = live_view.live_view(db, round_, with_panel=False)
    out = live_view.to_schema(view)
    out.timers.now = _CLOCK
    template = out.model_dump_json().encode()
    if _CLOCK_JSON not in template:  # the clock is written another way: never cache stale
        raise AssertionError("the live state's clock placeholder was not found")
    etag = f'W/"{hashlib.sha256(template).hexdigest()[:20]}"'
    return Built(current, time.monotonic(), template, etag)


def forget() -> None:
    """Drop every cached copy (tests that change data behind the stamp's back)."""
    with _lock:
        _cache.clear()
        _refreshing.clear()
