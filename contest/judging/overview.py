"""The organiser's view of a round's assignments: loads per judge, judges per entry."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from contest.core.i18n.names import sql_name
from contest.judging.assignment import round_entry_ids
from contest.judging.detection import ConflictContext, entry_sides, load_context
from contest.judging.solver import EntryRef, JudgeRef, in_conflict
from contest.models import Assignment, Entry, Judge, Round, ScoreSheet, Track, User

PER_PAGE = 50
# A select per entry lists the least-loaded eligible judges; a national panel has thousands.
MAX_OPTIONS = 100


@dataclass(frozen=True)
class JudgeLoad:
    judge_id: int
    name: str
    institution: str
    load: int


@dataclass(frozen=True)
class OnEntry:
    judge_id: int
    name: str
    source: str
    state: str  # todo, draft or submitted


@dataclass(frozen=True)
class EntryRow:
    entry_id: int
    title: str
    institution: str
    track_name: str
    judges: tuple[OnEntry, ...]
    options: tuple[JudgeLoad, ...]


@dataclass(frozen=True)
class Overview:
    entries: int
    assignments: int
    loads: list[JudgeLoad]
    short: int

    @property
    def min_load(self) -> int:
        return min((j.load for j in self.loads), default=0)

    @property
    def max_load(self) -> int:
        return max((j.load for j in self.loads), default=0)


def overview(db: Session, round_: Round) -> Overview:
    active = round_entry_ids(db, round_)
    counts = Counter(
        dict(
            db.execute(
                select(col(Assignment.judge_id), func.count())
                .where(col(Assignment.round_id) == round_.id, col(Assignment.entry_id).in_(active))
                .group_by(col(Assignment.judge_id))
            ).all()
        )
    )
    panel = db.execute(
        select(col(Judge.id), col(User.name), col(Judge.institution))
        .join(User, col(User.id) == Judge.user_id)
        .where(col(Judge.contest_id) == round_.contest_id)
        .order_by(col(User.name), col(Judge.id))
    ).all()
    per_entry = (
        select(func.count(col(Assignment.id)).label("n"))
        .select_from(Entry)
        .outerjoin(
            Assignment,
            and_(col(Assignment.entry_id) == Entry.id, col(Assignment.round_id) == round_.id),
        )
        .where(col(Entry.id).in_(active))
        .group_by(col(Entry.id))
        .subquery()
    )
    entries, short = db.execute(
        select(func.count(), func.count().filter(per_entry.c.n < round_.judges_per_entry))
    ).one()
    return Overview(
        entries=int(entries),
        assignments=sum(counts.values()),
        loads=[JudgeLoad(j, name, inst, counts.get(j, 0)) for j, name, inst in panel],
        short=int(short or 0),
    )


def entry_rows(
    db: Session,
    round_: Round,
    loads: list[JudgeLoad],
    *,
    q: str = "",
    short_only: bool = False,
    page: int = 1,
) -> tuple[list[EntryRow], int]:
    """One page of the round's entries with their judges and who could be added."""
    query = (
        select(col(Entry.id), col(Entry.title), col(Entry.institution), sql_name(Track))
        .join(Track, col(Track.id) == Entry.track_id)
        .where(col(Entry.id).in_(round_entry_ids(db, round_)))
    )
    if q.strip():
        query = query.where(col(Entry.title).contains(q.strip(), autoescape=True))
    if short_only:
        assigned = (
            select(func.count())
            .where(col(Assignment.round_id) == round_.id, col(Assignment.entry_id) == Entry.id)
            .scalar_subquery()
        )
        query = query.where(assigned < round_.judges_per_entry)
    total = int(db.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = db.execute(
        query.order_by(col(Track.position), col(Entry.id))
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    ids = [row[0] for row in rows]
    on = _judges_on(db, round_, ids)
    context = load_context(db, round_.contest_id)
    refs = {side.id: context.entry_ref(side) for side in entry_sides(db, ids)}
    return [
        EntryRow(
            entry_id,
            title,
            inst,
            track,
            tuple(on.get(entry_id, ())),
            _options(context, refs[entry_id], on.get(entry_id, []), loads),
        )
        for entry_id, title, inst, track in rows
    ], total


def _judges_on(db: Session, round_: Round, entry_ids: list[int]) -> dict[int, list[OnEntry]]:
    sheet = and_(
        col(ScoreSheet.round_id) == Assignment.round_id,
        col(ScoreSheet.judge_id) == Assignment.judge_id,
        col(ScoreSheet.entry_id) == Assignment.entry_id,
    )
    rows = db.execute(
        select(
            col(Assignment.entry_id),
            col(Judge.id),
            col(User.name),
            col(Assignment.source),
            col(ScoreSheet.state),
        )
        .join(Judge, col(Judge.id) == Assignment.judge_id)
        .join(User, col(User.id) == Judge.user_id)
        .outerjoin(ScoreSheet, sheet)
        .where(col(Assignment.round_id) == round_.id, col(Assignment.entry_id).in_(entry_ids))
        .order_by(User.name)
    ).all()
    found: dict[int, list[OnEntry]] = {}
    for entry_id, judge_id, name, source, state in rows:
        found.setdefault(entry_id, []).append(
            OnEntry(judge_id, name, source, str(state) if state else "todo")
        )
    return found


def _options(
    context: ConflictContext, ref: EntryRef, on: list[OnEntry], loads: list[JudgeLoad]
) -> tuple[JudgeLoad, ...]:
    """Judges who could be added: eligible, not on the entry, least loaded first."""
    taken = {o.judge_id for o in on}
    free = [
        j
        for j in loads
        if j.judge_id not in taken
        and not in_conflict(
            JudgeRef(j.judge_id, keys=context.keys.get(j.judge_id, frozenset())), ref
        )
    ]
    free.sort(key=lambda j: (j.load, j.name))
    return tuple(free[:MAX_OPTIONS])
