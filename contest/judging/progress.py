"""How far a round's judging has come: per judge, per entry, and a reminder for the late.

A sheet is expected for every assignment of an entry still in the round. "Late" judges
are those with expected sheets not yet submitted. No mail server exists: the reminder is
a mailto: link (Bcc, so judges do not see each other's addresses) plus the same text to
copy into any mail or messaging tool.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlmodel import Session, col

from contest.core.db import AnySelect
from contest.core.enums import SheetState
from contest.core.i18n import _
from contest.core.i18n.names import sql_name
from contest.judging.assignment import round_entry_ids
from contest.models import Assignment, Contest, Entry, Judge, Round, ScoreSheet, Track, User
from contest.models.base import UTCDateTime

ENTRY_FILTERS = ("all", "missing", "short")
PER_PAGE = 50


def _sheet_join() -> ColumnElement[bool]:
    return and_(
        col(ScoreSheet.round_id) == Assignment.round_id,
        col(ScoreSheet.judge_id) == Assignment.judge_id,
        col(ScoreSheet.entry_id) == Assignment.entry_id,
    )


_submitted = func.count(col(ScoreSheet.id)).filter(
    col(ScoreSheet.state) == SheetState.submitted.value
)
_drafts = func.count(col(ScoreSheet.id)).filter(col(ScoreSheet.state) == SheetState.draft.value)


@dataclass(frozen=True)
class JudgeLine:
    judge_id: int
    name: str
    email: str
    institution: str
    assigned: int
    submitted: int
    drafts: int
    last_activity: datetime | None

    @property
    def missing(self) -> int:
        return self.assigned - self.submitted


@dataclass(frozen=True)
class Summary:
    sheets_expected: int
    sheets_submitted: int
    sheets_draft: int
    entries: int
    entries_complete: int
    entries_short_of_judges: int

    @property
    def percent(self) -> int:
        if not self.sheets_expected:
            return 0
        return self.sheets_submitted * 100 // self.sheets_expected


def judge_lines(db: Session, round_: Round) -> list[JudgeLine]:
    """Every judge of the panel with their figures in the round (zeros if unassigned)."""
    stats = (
        select(
            col(Assignment.judge_id),
            func.count(col(Assignment.id)).label("assigned"),
            _submitted.label("submitted"),
            _drafts.label("drafts"),
            func.max(col(ScoreSheet.updated_at)).label("last"),
        )
        .outerjoin(ScoreSheet, _sheet_join())
        .where(
            col(Assignment.round_id) == round_.id,
            col(Assignment.entry_id).in_(round_entry_ids(db, round_)),
        )
        .group_by(col(Assignment.judge_id))
        .subquery()
    )
    rows = db.execute(
        select(
            col(Judge.id),
            col(User.name),
            col(User.email),
            col(Judge.institution),
            stats.c.assigned,
            stats.c.submitted,
            stats.c.drafts,
            stats.c.last,
        )
        .join(User, col(User.id) == Judge.user_id)
        .outerjoin(stats, stats.c.judge_id == Judge.id)
        .where(col(Judge.contest_id) == round_.contest_id)
        .order_by(col(User.name), col(Judge.id))
    ).all()
    return [
        JudgeLine(j, name, email, inst, a or 0, s or 0, d or 0, _aware(last))
        for j, name, email, inst, a, s, d, last in rows
    ]


def _aware(value: datetime | None) -> datetime | None:
    # max() over a UTC column loses the column type, so SQLite hands back a naive time.
    return UTCDateTime().process_result_value(value, None)


def _per_entry(db: Session, round_: Round) -> AnySelect:
    return (
        select(
            col(Entry.id).label("entry_id"),
            col(Entry.title).label("title"),
            col(Track.code).label("track_code"),
            sql_name(Track).label("track_name"),
            func.count(col(Assignment.id)).label("assigned"),
            _submitted.label("submitted"),
            _drafts.label("drafts"),
        )
        .join(Track, col(Track.id) == Entry.track_id)
        .outerjoin(
            Assignment,
            and_(col(Assignment.entry_id) == Entry.id, col(Assignment.round_id) == round_.id),
        )
        .outerjoin(ScoreSheet, _sheet_join())
        .where(col(Entry.id).in_(round_entry_ids(db, round_)))
        .group_by(
            col(Entry.id), col(Entry.title), col(Track.code), col(Track.name), col(Track.name_en),
            col(Track.position),
        )
    )


def summary(db: Session, round_: Round) -> Summary:
    per_entry = _per_entry(db, round_).subquery()
    k = round_.judges_per_entry
    row = db.execute(
        select(
            func.count(),
            func.coalesce(func.sum(per_entry.c.assigned), 0),
            func.coalesce(func.sum(per_entry.c.submitted), 0),
            func.coalesce(func.sum(per_entry.c.drafts), 0),
            func.coalesce(
                func.sum(
                    case(
                        (
                            and_(
                                per_entry.c.assigned > 0,
                                per_entry.c.submitted >= per_entry.c.assigned,
                            ),
                            1,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
            func.coalesce(func.sum(case((per_entry.c.assigned < k, 1), else_=0)), 0),
        )
    ).one()
    entries, expected, submitted, drafts, complete, short = (int(v) for v in row)
    return Summary(expected, submitted, drafts, entries, complete, short)


@dataclass(frozen=True)
class EntryLine:
    entry_id: int
    title: str
    track_code: str
    track_name: str
    assigned: int
    submitted: int
    drafts: int
    # (judge id, judge name, sheet state or "todo")
    sheets: tuple[tuple[int, str, str], ...]


def entry_lines(
    db: Session, round_: Round, *, show: str = "all", page: int = 1
) -> tuple[list[EntryLine], int]:
    """One page of entries with their sheets, filtered; and how many entries match."""
    query = _per_entry(db, round_)
    assigned, k = func.count(col(Assignment.id)), round_.judges_per_entry
    if show == "missing":
        query = query.having(or_(_submitted < assigned, assigned < k))
    elif show == "short":
        query = query.having(assigned < k)
    total = int(db.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = db.execute(
        query.order_by(col(Track.position), col(Entry.id))
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    sheets = _sheets_of(db, round_, [row.entry_id for row in rows])
    return [
        EntryLine(
            r.entry_id,
            r.title,
            r.track_code,
            r.track_name,
            r.assigned,
            r.submitted,
            r.drafts,
            tuple(sheets.get(r.entry_id, ())),
        )
        for r in rows
    ], total


def _sheets_of(
    db: Session, round_: Round, entry_ids: list[int]
) -> dict[int, list[tuple[int, str, str]]]:
    if not entry_ids:
        return {}
    rows = db.execute(
        select(col(Assignment.entry_id), col(Judge.id), col(User.name), col(ScoreSheet.state))
        .join(Judge, col(Judge.id) == Assignment.judge_id)
        .join(User, col(User.id) == Judge.user_id)
        .outerjoin(ScoreSheet, _sheet_join())
        .where(col(Assignment.round_id) == round_.id, col(Assignment.entry_id).in_(entry_ids))
        .order_by(col(Assignment.entry_id), col(User.name))
    ).all()
    found: dict[int, list[tuple[int, str, str]]] = {}
    for entry_id, judge_id, name, state in rows:
        found.setdefault(entry_id, []).append((judge_id, name, str(state) if state else "todo"))
    return found


@dataclass(frozen=True)
class Reminder:
    emails: list[str]
    subject: str
    body: str

    @property
    def mailto(self) -> str:
        """One mail to every late judge, addresses in Bcc."""
        return (
            f"mailto:?bcc={quote(','.join(self.emails), safe='@,')}"
            f"&subject={quote(self.subject)}&body={quote(self.body)}"
        )


def reminder(
    contest: Contest, round_: Round, lines: list[JudgeLine], *, base_url: str, closes: str | None
) -> Reminder:
    """The text to send to judges who still have sheets to submit; `closes`: the deadline shown."""
    late = [line for line in lines if line.missing > 0]
    deadline = _("Scoring closes at %(time)s.") % {"time": closes} if closes else ""
    subject = _("Reminder: please complete your scoring for %(round)s") % {"round": round_.name}
    body = _(
        "Dear judge,\n\nThank you for reviewing for %(contest)s. Some of your score sheets "
        "for %(round)s are not submitted yet. %(deadline)s\n\nPlease log in at %(url)s to "
        "finish them; drafts are saved as you type.\n\nWith thanks,\nThe organising committee"
    ) % {
        "contest": contest.name,
        "round": round_.name,
        "deadline": deadline,
        "url": base_url.rstrip("/") + "/judge",
    }
    return Reminder(emails=[line.email for line in late], subject=subject, body=body)
