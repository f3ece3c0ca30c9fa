"""The organiser's entry list: filters, search, sorting and paging that hold up at
100,000 entries.

An entry's status in the contest is its furthest decided outcome: `withdrawn` if it
withdrew; else `eliminated` if a round did not advance it; else `advanced` if a round
advanced it (it is then in a later round, or the last decided round was its last);
else `in` (no round has decided about it yet). The per-round line and the award are
shown beside it.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, exists, func, or_, select
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from contest.core.enums import DocumentKind, EntryStatus
from contest.core.i18n.names import sql_name
from contest.core.validation import is_ascii_number
from contest.models import Award, Document, Entry, Round, RoundEntry, Track

PER_PAGE = 50
STATUSES = tuple(s.value for s in EntryStatus)
TIERS = ("gold", "silver", "bronze", "excellence")
AWARD_FILTERS = (*TIERS, "any", "none")
# Columns the list sorts by; every order ends with the entry's number, so pages are stable.
SORTS = ("id", "title", "track", "institution", "city", "leader", "status", "award", "created")


@dataclass
class EntryFilters:
    track: str = ""
    city: str = ""
    institution: str = ""
    field: str = ""
    status: str = ""
    plan: str = ""  # "missing" or "present": whether a business plan was uploaded
    award: str = ""  # a tier, "any" or "none"
    q: str = ""
    sort: str = ""  # one of SORTS; "" is registration order
    order: str = ""  # "desc" or ascending

    @classmethod
    def from_mapping(cls, values: dict[str, str]) -> "EntryFilters":
        return cls(**{f.name: (values.get(f.name) or "").strip()[:200] for f in fields(cls)})

    def as_query(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def has_plan() -> ColumnElement[bool]:
    return exists().where(
        col(Document.entry_id) == Entry.id,
        col(Document.kind) == DocumentKind.business_plan,
        col(Document.replaced_at).is_(None),
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(q: str) -> ColumnElement[bool]:
    pattern = _like(q)
    columns = (
        col(Entry.title),
        col(Entry.leader_name),
        col(Entry.institution),
        col(Entry.company_name),
        col(Entry.leader_email),
        col(Entry.credit_code),
        col(Entry.city),
    )
    condition = or_(*(column.ilike(pattern, escape="\\") for column in columns))
    return or_(condition, col(Entry.id) == int(q)) if is_ascii_number(q, 9) else condition


def _decided(status: EntryStatus) -> ColumnElement[bool]:
    return exists().where(col(RoundEntry.entry_id) == Entry.id, col(RoundEntry.status) == status)


def _status(status: str) -> ColumnElement[bool]:
    """The contest-level status of the module docstring, as a condition."""
    if status == EntryStatus.withdrawn:
        return col(Entry.withdrawn_at).is_not(None)
    active = col(Entry.withdrawn_at).is_(None)
    eliminated, advanced = _decided(EntryStatus.eliminated), _decided(EntryStatus.advanced)
    if status == EntryStatus.eliminated:
        return and_(active, eliminated)
    if status == EntryStatus.advanced:
        return and_(active, ~eliminated, advanced)
    return and_(active, ~eliminated, ~advanced)


def status_rank() -> ColumnElement[int]:
    """Sorting by status: furthest first when descending (eliminated, withdrawn last)."""
    return case(
        (col(Entry.withdrawn_at).is_not(None), 0),
        (_decided(EntryStatus.eliminated), 1),
        (_decided(EntryStatus.advanced), 3),
        else_=2,
    )


def _award_tier() -> ColumnElement[str]:
    return (
        select(col(Award.tier))
        .where(col(Award.entry_id) == Entry.id)
        .limit(1)
        .correlate(Entry)
        .scalar_subquery()
    )


def _award(value: str) -> ColumnElement[bool]:
    has = exists().where(col(Award.entry_id) == Entry.id)
    if value == "any":
        return has
    if value == "none":
        return ~has
    return exists().where(col(Award.entry_id) == Entry.id, col(Award.tier) == value)


def award_rank() -> ColumnElement[int]:
    """Gold highest; entries without an award lowest."""
    tier = _award_tier()
    return case(*((tier == t, len(TIERS) - i) for i, t in enumerate(TIERS)), else_=0)


def _order_by(query: Select[Entry], filters: EntryFilters) -> Select[Entry]:
    keys: dict[str, Any] = {
        "title": col(Entry.title),
        "institution": col(Entry.institution),
        "city": col(Entry.city),
        "leader": col(Entry.leader_name),
        "created": col(Entry.created_at),
        "status": status_rank(),
        "award": award_rank(),
    }
    if filters.sort == "track":
        track_position = (
            select(col(Track.position)).where(col(Track.id) == Entry.track_id).scalar_subquery()
        )
        keys["track"] = track_position
    key = keys.get(filters.sort)
    descending = filters.order == "desc"
    if key is None:
        return query.order_by(col(Entry.id).desc() if descending else col(Entry.id))
    return query.order_by(key.desc() if descending else key.asc(), col(Entry.id))


def filtered(contest_id: int, filters: EntryFilters) -> Select[Entry]:
    query = select(Entry).where(col(Entry.contest_id) == contest_id)
    if filters.track:
        query = query.join(Track, col(Track.id) == Entry.track_id).where(
            col(Track.code) == filters.track
        )
    for name in ("city", "institution", "field"):
        value = getattr(filters, name)
        if value:
            query = query.where(getattr(Entry, name) == value)
    if filters.status in STATUSES:
        query = query.where(_status(filters.status))
    if filters.award in AWARD_FILTERS:
        query = query.where(_award(filters.award))
    if filters.plan == "missing":
        query = query.where(~has_plan())
    elif filters.plan == "present":
        query = query.where(has_plan())
    if filters.q:
        query = query.where(_search(filters.q))
    return query


@dataclass
class RoundOutcome:
    round_id: int
    round_name: str
    status: EntryStatus


@dataclass
class EntryRow:
    entry: Entry
    track: Track
    status: EntryStatus
    round_name: str  # the furthest round the entry reached
    has_plan: bool
    rounds: list[RoundOutcome] = field(default_factory=list)
    award: Award | None = None


def contest_status(withdrawn: bool, outcomes: Sequence[RoundOutcome]) -> EntryStatus:
    """The contest-level status of the module docstring, from the entry's rounds."""
    if withdrawn:
        return EntryStatus.withdrawn
    seen = {outcome.status for outcome in outcomes}
    for status in (EntryStatus.eliminated, EntryStatus.advanced):
        if status in seen:
            return status
    return EntryStatus.in_


@dataclass
class EntryPage:
    rows: list[EntryRow]
    total: int
    page: int
    pages: int


def among(db: Session, column: Mapped[int], ids: Iterable[int]) -> ColumnElement[bool]:
    """`column IN (ids)`. On PostgreSQL the ids are written into the SQL rather than bound
    one by one: for a batch of 1,000 entries, 1,000 parameters for its driver to parse on
    every query were a tenth of the entries export's time. They are integers, so nothing
    can be injected. SQLite keeps bound parameters: it caches a prepared statement per
    distinct SQL text, and 1,000 literal ids make every batch's text new."""
    values = [int(i) for i in ids]
    literal = db.get_bind().dialect.name == "postgresql"
    return column.in_(bindparam(None, values, expanding=True, literal_execute=literal))


def entry_rows(db: Session, entries: Sequence[Entry]) -> list[EntryRow]:
    ids = [e.id for e in entries]
    tracks = {
        t.id: t
        for t in db.scalars(select(Track).where(col(Track.id).in_({e.track_id for e in entries})))
    }
    outcomes: dict[int, list[RoundOutcome]] = {}
    links = db.execute(
        select(col(RoundEntry.entry_id), col(RoundEntry.status), col(Round.id), sql_name(Round))
        .join(Round, col(Round.id) == RoundEntry.round_id)
        .where(among(db, col(RoundEntry.entry_id), ids))
        .order_by(col(Round.position))
    )
    for entry_id, status, round_id, round_name in links:
        outcomes.setdefault(entry_id, []).append(
            RoundOutcome(round_id, round_name, EntryStatus(status))
        )
    awards = {
        award.entry_id: award
        for award in db.scalars(select(Award).where(among(db, col(Award.entry_id), ids)))
    }
    plans = set(
        db.scalars(
            select(col(Document.entry_id)).where(
                among(db, col(Document.entry_id), ids),
                col(Document.kind) == DocumentKind.business_plan,
                col(Document.replaced_at).is_(None),
            )
        )
    )
    rows = []
    for entry in entries:
        lines = outcomes.get(entry.id, [])
        status = contest_status(entry.withdrawn_at is not None, lines)
        round_name = lines[-1].round_name if lines else ""
        rows.append(
            EntryRow(
                entry, tracks[entry.track_id], status, round_name, entry.id in plans,
                lines, awards.get(entry.id),
            )
        )  # fmt: skip
    return rows


def entry_page(
    db: Session, contest_id: int, filters: EntryFilters, *, page: int = 1, per_page: int = PER_PAGE
) -> EntryPage:
    """One page of the filtered list, in the chosen order (registration order by
    default), with the total count."""
    query = filtered(contest_id, filters)
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    ordered = _order_by(query, filters)
    entries = list(db.scalars(ordered.offset((page - 1) * per_page).limit(per_page)))
    return EntryPage(entry_rows(db, entries) if entries else [], total, page, pages)


def filter_options(db: Session, contest_id: int) -> dict[str, list[str]]:
    """The values the filters offer: those that occur among the contest's entries."""
    options = {}
    for name in ("city", "institution", "field"):
        column = getattr(Entry, name)
        options[name] = [
            value
            for value in db.scalars(
                select(column)
                .where(col(Entry.contest_id) == contest_id, column != "")
                .distinct()
                .order_by(column)
            )
        ]
    return options


def contest_entries(
    db: Session,
    contest_id: int,
    filters: EntryFilters | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[Entry]:
    """Entries for the API list: all of them unless a limit is given."""
    query = filtered(contest_id, filters or EntryFilters()).order_by(col(Entry.id)).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(db.scalars(query))
