"""entries.csv: every entry of a contest, streamed in batches, UTF-8 with a BOM for Excel.

The columns are the entry fields of API.md (so the file can be imported again)
followed by a few read-only ones (id, status, business_plan, created_at).
"""

import csv
import io
from collections.abc import Iterator

from sqlalchemy import select

from contest.db import Database
from contest.entries_list import entry_rows
from contest.entries_views import members_by_entry
from contest.models import Entry

BOM = "\ufeff"
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
COLUMNS = ("id", *ENTRY_COLUMNS, *READ_ONLY_COLUMNS[1:])
BATCH = 1000
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _encode(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def entries_csv(database: Database, contest_id: int) -> Iterator[bytes]:
    """The CSV in pieces of BATCH entries: memory stays flat however large the contest."""
    yield (BOM + ",".join(COLUMNS) + "\r\n").encode("utf-8")
    last_id = 0
    with database.session(write=False) as db:
        while True:
            entries = list(
                db.scalars(
                    select(Entry)
                    .where(Entry.contest_id == contest_id, Entry.id > last_id)
                    .order_by(Entry.id)
                    .limit(BATCH)
                )
            )
            if not entries:
                return
            members = members_by_entry(db, [e.id for e in entries])
            lines = []
            for row in entry_rows(db, entries):
                entry = row.entry
                values = {name: getattr(entry, name, "") for name in COLUMNS}
                values.update(
                    track_code=row.track.code,
                    members=";".join(members.get(entry.id, [])),
                    founded_on=entry.founded_on.isoformat() if entry.founded_on else "",
                    status=row.status.value,
                    business_plan="yes" if row.has_plan else "no",
                    created_at=entry.created_at.isoformat(timespec="seconds"),
                )
                lines.append([safe_cell(values[name]) for name in COLUMNS])
            yield _encode(lines)
            last_id = entries[-1].id
