"""The organiser's entry list: filters, search and paging that hold up at 100,000 entries.

An entry's status in the contest is its status in the latest round it takes part
in (withdrawn overrides everything); with no round yet it is simply "in".
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields

from sqlalchemy import Select, and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import Mapped
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from contest.core.enums import DocumentKind, EntryStatus
from contest.core.validation import is_ascii_number
from contest.models import Document, Entry, Round, RoundEntry, Track

PER_PAGE = 50
STATUSES = tuple(s.value for s in EntryStatus)


@dataclass
class EntryFilters:
    track: str = ""
    city: str = ""
    institution: str = ""
    field: str = ""
    status: str = ""
    plan: str = ""  # "missing" or "present": whether a business plan was uploaded
    q: str = ""

    @classmethod
    def from_mapping(cls, values: dict[str, str]) -> "EntryFilters":
        return cls(**{f.name: (values.get(f.name) or "").strip()[:200] for f in fields(cls)})

    def as_query(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def latest_round_status() -> ColumnElement[str]:
    """The entry's status in the last round it has reached, as a correlated subquery."""
    return (
        select(col(RoundEntry.status))
        .join(Round, col(Round.id) == RoundEntry.round_id)
        .where(col(RoundEntry.entry_id) == Entry.id)
        .order_by(col(Round.position).desc())
        .limit(1)
        .correlate(Entry)
        .scalar_subquery()
    )


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


def _status(status: str) -> ColumnElement[bool]:
    if status == EntryStatus.withdrawn:
        return col(Entry.withdrawn_at).is_not(None)
    current = func.coalesce(latest_round_status(), EntryStatus.in_.value)
    return and_(col(Entry.withdrawn_at).is_(None), current == status)


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
    if filters.plan == "missing":
        query = query.where(~has_plan())
    elif filters.plan == "present":
        query = query.where(has_plan())
    if filters.q:
        query = query.where(_search(filters.q))
    return query


@dataclass
class EntryRow:
    entry: Entry
    track: Track
    status: EntryStatus
    round_name: str
    has_plan: bool


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
    latest: dict[int, tuple[EntryStatus, str]] = {}
    links = db.execute(
        select(col(RoundEntry.entry_id), col(RoundEntry.status), col(Round.name))
        .join(Round, col(Round.id) == RoundEntry.round_id)
        .where(among(db, col(RoundEntry.entry_id), ids))
        .order_by(col(Round.position))
    )
    for entry_id, status, round_name in links:
        latest[entry_id] = (EntryStatus(status), round_name)
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
        status, round_name = latest.get(entry.id, (EntryStatus.in_, ""))
        if entry.withdrawn_at is not None:
            status = EntryStatus.withdrawn
        rows.append(EntryRow(entry, tracks[entry.track_id], status, round_name, entry.id in plans))
    return rows


def entry_page(
    db: Session, contest_id: int, filters: EntryFilters, *, page: int = 1, per_page: int = PER_PAGE
) -> EntryPage:
    """One page of the filtered list, in registration order, with the total count."""
    query = filtered(contest_id, filters)
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    entries = list(
        db.scalars(query.order_by(col(Entry.id)).offset((page - 1) * per_page).limit(per_page))
    )
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
