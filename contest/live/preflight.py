"""The pre-flight check of a live final: what must hold before the organiser starts it.

Six checks, each with what is wrong and where to fix it (contest/live/README.md):
the contest is open, the order is drawn (and still matches the round's projects), every
project has its judges, every judge of the round was seen online in the last minute,
a big screen is connected, and the timers are set. Starting with a failed check is
allowed (a judge's phone may be off until the first pitch) but the control page asks
for confirmation and names the failed checks.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from contest.core.enums import ContestStatus, LivePhase
from contest.core.i18n import _
from contest.live import draw, presence
from contest.live import service as live
from contest.models import Assignment, Contest, Judge, Round, User, utcnow

OPEN_STATUSES = frozenset({ContestStatus.open, ContestStatus.judging})


@dataclass(frozen=True, slots=True)
class Check:
    key: str  # contest_open | order_drawn | judges_assigned | judges_online | screen | timers
    ok: bool
    title: str
    detail: str
    fix_url: str | None = None


@dataclass(frozen=True, slots=True)
class JudgePresence:
    """A judge of the round: how many projects they score, and when their phone last
    reported in (None: never)."""

    judge_id: int
    name: str
    entries: int
    seen_at: datetime | None
    online: bool


@dataclass(frozen=True)
class Preflight:
    checks: tuple[Check, ...]
    judges: tuple[JudgePresence, ...]
    screens: int
    phase: str

    @property
    def ready(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failed(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)


def round_judges(db: Session, round_: Round) -> tuple[JudgePresence, ...]:
    """The judges assigned to any project of the round, by name, with their presence."""
    rows = db.execute(
        select(col(Judge.id), col(User.name), func.count(col(Assignment.id)))
        .join(Judge, col(Judge.id) == Assignment.judge_id)
        .join(User, col(User.id) == Judge.user_id)
        .where(col(Assignment.round_id) == round_.id)
        .group_by(col(Judge.id), col(User.name))
        .order_by(col(User.name), col(Judge.id))
    ).all()
    seen = presence.last_seen(db, round_.id)
    now = utcnow()
    lines = []
    for judge_id, name, count in rows:
        at = seen.get(presence.judge_key(judge_id))
        lines.append(JudgePresence(judge_id, name, int(count), at, presence.online(at, now)))
    return tuple(lines)


def check(db: Session, round_: Round) -> Preflight:
    contest = db.get(Contest, round_.contest_id)
    assert contest is not None
    judges = round_judges(db, round_)
    screens = presence.screens_online(presence.last_seen(db, round_.id))
    base = f"/manage/rounds/{round_.id}"
    checks = (
        _contest_open(contest),
        _order_drawn(db, round_, f"{base}/live"),
        _judges_assigned(db, round_, f"{base}/assignments"),
        _judges_online(judges),
        _screen(screens),
        _timers(round_, f"{base}/edit"),
    )
    phase = live.state_of(db, round_.id).phase
    return Preflight(checks, judges, screens, str(LivePhase(phase).value))


def _contest_open(contest: Contest) -> Check:
    ok = contest.status in OPEN_STATUSES
    if ok:
        detail = _("The contest is open.")
    elif contest.status == ContestStatus.draft:
        detail = _("The contest is still a draft: open it before the final.")
    else:
        detail = _("The contest has finished.")
    return Check(
        "contest_open", ok, _("Contest open"), detail, f"/manage/contests/{contest.id}/edit"
    )


def _order_drawn(db: Session, round_: Round, url: str) -> Check:
    title = _("Presentation order drawn")
    drawn = draw.current(db, round_.id)
    inside = draw.entries_in(db, round_.id)
    if not inside:
        return Check("order_drawn", False, title, _("The round has no projects yet."), url)
    if drawn is None:
        return Check("order_drawn", False, title, _("Draw the presentation order."), url)
    if set(drawn.order) != set(inside):
        detail = _("The round's projects have changed since the draw: draw the order again.")
        return Check("order_drawn", False, title, detail, url)
    detail = _("%(count)s projects, drawn with seed %(seed)s.") % {
        "count": len(drawn.order),
        "seed": drawn.seed,
    }
    return Check("order_drawn", True, title, detail, url)


def _judges_assigned(db: Session, round_: Round, url: str) -> Check:
    title = _("Every project has its judges")
    inside = draw.entries_in(db, round_.id)
    counts = Counter(
        db.scalars(
            select(col(Assignment.entry_id)).where(col(Assignment.round_id) == round_.id)
        ).all()
    )
    short = [e for e in inside if counts[e] < round_.judges_per_entry]
    if not inside:
        return Check("judges_assigned", False, title, _("The round has no projects yet."), url)
    if short:
        detail = _("%(count)s projects have fewer than %(n)s judges assigned.") % {
            "count": len(short),
            "n": round_.judges_per_entry,
        }
        return Check("judges_assigned", False, title, detail, url)
    detail = _("Every project has at least %(n)s judges.") % {"n": round_.judges_per_entry}
    return Check("judges_assigned", True, title, detail, url)


def _judges_online(judges: tuple[JudgePresence, ...]) -> Check:
    title = _("Every judge online")
    away = [j.name for j in judges if not j.online]
    if not judges:
        return Check("judges_online", False, title, _("No judge is assigned to the round."))
    if away:
        detail = _("Not seen in the last minute: %(names)s.") % {"names": "、".join(away)}
        return Check("judges_online", False, title, detail)
    detail = _("All %(count)s judges were seen in the last minute.") % {"count": len(judges)}
    return Check("judges_online", True, title, detail)


def _screen(screens: int) -> Check:
    title = _("Big screen connected")
    if not screens:
        detail = _("Open the big screen from the link on this page on the hall's computer.")
        return Check("screen", False, title, detail)
    return Check("screen", True, title, _("Big screens connected: %(n)s") % {"n": screens})


def _timers(round_: Round, url: str) -> Check:
    title = _("Timers set")
    ok = round_.pitch_seconds > 0 and round_.qa_seconds > 0
    detail = _("Pitch %(pitch)s, questions %(qa)s.") % {
        "pitch": _clock(round_.pitch_seconds),
        "qa": _clock(round_.qa_seconds),
    }
    if not ok:
        detail = _("Set both the pitch and the questions time: %(times)s") % {"times": detail}
    return Check("timers", ok, title, detail, url)


def _clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"
