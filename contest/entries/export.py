"""entries.csv: every entry of a contest, streamed in batches, UTF-8 with a BOM for Excel.

The columns are the entry fields of docs/api.md (so the file can be imported again)
followed by a few read-only ones (id, status, business_plan, created_at).
"""

from collections.abc import Iterator, Sequence
from typing import cast

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core.db import Database
from contest.core.i18n import _
from contest.entries.listing import EntryRow, entry_rows
from contest.entries.views import members_by_entry
from contest.kit.tables import BOM, FORMULA_STARTS, Column, code_cell, csv_stream, safe_cell
from contest.models import Entry, table_of

ENTRY_COLUMNS = (
    "track_code",
    "title",
    "summary",
    "field",
    "institution",
    "city",
    "leader_name",
    "leader_email",
    "leader_phone",
    "members",
    "company_name",
    "credit_code",
    "founded_on",
    "video_url",
)
READ_ONLY_COLUMNS = ("id", "status", "business_plan", "created_at")
# Written so that spreadsheets keep them as text (kit.tables.code_cell).
CODE_COLUMNS = frozenset({"leader_phone", "credit_code"})
COLUMNS = ("id", *ENTRY_COLUMNS, *READ_ONLY_COLUMNS[1:])
BATCH = 1000
__all__ = ["BOM", "COLUMNS", "ENTRY_COLUMNS", "FORMULA_STARTS", "READ_ONLY_COLUMNS", "safe_cell"]


def entry_columns() -> tuple[Column, ...]:
    """The entries table's columns, in the order of COLUMNS (the import
    reads its headers back as those fields)."""
    return (
        Column(_("Entry ID"), "int", 9),
        Column(_("Track"), width=10),
        Column(_("Project title"), width=36),
        Column(_("Summary"), width=40),
        Column(_("Field"), width=12),
        Column(_("Institution"), width=24),
        Column(_("City"), width=10),
        Column(_("Leader"), width=10),
        Column(_("Leader e-mail"), width=24),
        Column(_("Leader phone"), "code", 14),
        Column(_("Team members"), width=24),
        Column(_("Company name"), width=24),
        Column(_("Unified social credit code"), "code", 22),
        Column(_("Founded on"), "date", 12),
        Column(_("Video link"), width=20),
        Column(_("Status"), width=10),
        Column(_("Business plan"), width=10),
        Column(_("Registered at"), "datetime", 17),
    )


def entry_batches(
    db: Session,
    contest_id: int,
    ids: tuple[int | None, int | None] | None = None,
    only: Sequence[int] | None = None,
) -> Iterator[list[tuple[EntryRow, list[str]]]]:
    """Every entry of the contest with its members, BATCH at a time in registration order:
    memory stays flat however large the contest (shared with contest/exports/tables.py).
    With `ids` (low, high), only the entries with low <= id < high (None: no bound);
    with `only`, only those entries (a selection of the organiser's list)."""
    low, high = ids or (None, None)
    last_id = low - 1 if low is not None else 0
    until = [col(Entry.id) < high] if high is not None else []
    if only is not None:
        until.append(col(Entry.id).in_(list(only)))
    while True:
        # Plain rows with the entry's columns as attributes, not ORM objects: entry_rows
        # reads only attributes, and building 100,000 instances costs seconds.
        entries = db.execute(
            select(*table_of(Entry).columns)
            .where(col(Entry.contest_id) == contest_id, col(Entry.id) > last_id, *until)
            .order_by(col(Entry.id))
            .limit(BATCH)
        ).all()
        if not entries:
            return
        members = members_by_entry(db, [e.id for e in entries])
        # Each row has every column of Entry as an attribute, all that is read of it.
        rows = entry_rows(db, cast(Sequence[Entry], entries))
        yield [(row, members.get(row.entry.id, [])) for row in rows]
        last_id = entries[-1].id


def _line(row: EntryRow, members: list[str]) -> list[str]:
    entry = row.entry
    values = {name: getattr(entry, name, "") for name in COLUMNS}
    values.update(
        track_code=row.track.code,
        members=";".join(members),
        founded_on=entry.founded_on.isoformat() if entry.founded_on else "",
        status=row.status.value,
        business_plan="yes" if row.has_plan else "no",
        created_at=entry.created_at.isoformat(timespec="seconds"),
    )
    return [
        code_cell(values[name]) if name in CODE_COLUMNS else safe_cell(values[name])
        for name in COLUMNS
    ]


def entries_csv(
    database: Database, contest_id: int, only: Sequence[int] | None = None
) -> Iterator[bytes]:
    """The CSV in pieces of BATCH entries: memory stays flat however large the contest."""
    with database.session(write=False) as db:
        lines = (
            _line(row, members)
            for batch in entry_batches(db, contest_id, only=only)
            for row, members in batch
        )
        yield from csv_stream(COLUMNS, lines, batch=BATCH)
