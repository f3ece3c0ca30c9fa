"""Bulk import of entries from CSV (UTF-8, with or without BOM) or XLSX: all or nothing.

Every row is checked with the same rules as a team's own submission. If any row
is bad, every problem is reported with its line (as a spreadsheet numbers it:
the header is line 1) and field, and nothing is imported. Titles already taken
are loaded once, and the good file is inserted with a few multi-row statements.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from contest.core import audit
from contest.core.enums import EntryStatus
from contest.core.errors import FieldError, InvalidInput
from contest.core.i18n import LOCALES, _, use_locale
from contest.core.validation import excerpt, invalid_input
from contest.entries import eligibility
from contest.entries.export import COLUMNS as EXPORT_COLUMNS
from contest.entries.export import (
    ENTRY_COLUMNS,
    FORMULA_STARTS,
    READ_ONLY_COLUMNS,
    entry_columns,
)
from contest.entries.schemas import EntryCreate
from contest.entries.service import (
    candidate,
    late_reason_missing,
    normalised_values,
    reference_day,
    rounds_opened,
    taken_titles,
    track_rules,
)
from contest.kit import xlsx_read
from contest.kit.tables import code_text
from contest.models import Contest, Entry, EntryMember, RoundEntry, Track, User, table_of, utcnow
from contest.setup.contests import tracks
from contest.setup.rounds import first_round

LATE_REASON_MAX = 1000
REQUIRED_COLUMNS = ("track_code", "title", "summary", "institution", "city", "leader_name")
# Organisers often start from their own spreadsheet with Chinese headers.
ALIASES = {
    "组别": "track_code",
    "赛道": "track_code",
    "项目名称": "title",
    "项目简介": "summary",
    "简介": "summary",
    "领域": "field",
    "所属领域": "field",
    "单位": "institution",
    "所在单位": "institution",
    "学校": "institution",
    "城市": "city",
    "所在城市": "city",
    "负责人": "leader_name",
    "负责人姓名": "leader_name",
    "负责人邮箱": "leader_email",
    "邮箱": "leader_email",
    "负责人电话": "leader_phone",
    "负责人手机": "leader_phone",
    "电话": "leader_phone",
    "手机": "leader_phone",
    "团队成员": "members",
    "成员": "members",
    "公司名称": "company_name",
    "企业名称": "company_name",
    "统一社会信用代码": "credit_code",
    "信用代码": "credit_code",
    "成立日期": "founded_on",
    "视频链接": "video_url",
}
MEMBER_SEPARATORS = (";", "；", "\n")
XLSX_MAGIC = b"PK\x03\x04"
# At most 20,000 entries a file (the error says so), 100 columns, Excel's cell size.
LIMITS = xlsx_read.Limits(rows=20_000, columns=100, cell_chars=32_767)


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]


NEXT_ENTRY_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('entries', 'id')) FROM generate_series(1, :count)"
)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Chinese Windows saves "CSV" in GBK; GB18030 reads it.
        return raw.decode("gb18030")


def _read_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Rows of a CSV file with their line numbers, bounded like a workbook's."""
    text = _decode(path.read_bytes())
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = 0
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows += 1
        if rows > LIMITS.rows + 1:  # the header is not an entry
            raise xlsx_read.too_many_rows(LIMITS.rows)
        _check_csv_row(reader.line_num, values)
        yield reader.line_num, [v.strip() for v in values]


def _check_csv_row(line: int, values: list[str]) -> None:
    if len(values) > LIMITS.columns:
        message = _("Line %(line)s has more than %(max)s columns.") % {
            "line": line, "max": LIMITS.columns
        }
        raise xlsx_read.WorkbookError(message)
    if any(len(v) > LIMITS.cell_chars for v in values):
        message = _("Line %(line)s has a value longer than %(max)s characters.") % {
            "line": line, "max": f"{LIMITS.cell_chars:,}"
        }
        raise xlsx_read.WorkbookError(message)


def read_table(path: Path) -> Table:
    """The header and the non-empty rows, each with its line (as a spreadsheet numbers it)."""
    with path.open("rb") as handle:
        is_xlsx = handle.read(4) == XLSX_MAGIC
    try:
        lines = xlsx_read.read_rows(path, LIMITS) if is_xlsx else _read_csv(path)
        all_rows = list(lines)
    except xlsx_read.WorkbookError as exc:
        raise InvalidInput.single("file", exc.message) from None
    except (OSError, ValueError, csv.Error):
        message = _("The file could not be read. Upload a CSV (UTF-8) or an XLSX file.")
        raise InvalidInput.single("file", message) from None
    if not all_rows:
        raise InvalidInput.single("file", _("The file is empty."))
    header = [h.strip().lstrip("\ufeff") for h in all_rows[0][1]]
    return Table(header, [(line, r) for line, r in all_rows[1:] if any(r)])


@cache
def export_headers() -> dict[str, str]:
    """The headers of our own entries.xlsx, in every language, as the fields they hold:
    an exported file, edited, imports again (its id, status and dates are skipped)."""
    headers: dict[str, str] = {}
    for locale in LOCALES:
        with use_locale(locale):
            labels = [column.label for column in entry_columns()]
        headers.update(zip(labels, EXPORT_COLUMNS, strict=True))
    return headers


def column_map(header: list[str]) -> dict[int, str]:
    """Column index -> entry field; raises on unknown, repeated or missing columns."""
    known = set(ENTRY_COLUMNS)
    aliases = {**export_headers(), **ALIASES}
    mapping: dict[int, str] = {}
    errors = []
    for index, raw in enumerate(header):
        name = aliases.get(raw, raw.lower())
        if not raw or name in READ_ONLY_COLUMNS:
            continue
        if name not in known:
            errors.append(_("Unknown column “%(name)s”.") % {"name": excerpt(raw)})
        elif name in mapping.values():
            errors.append(_("Column “%(name)s” appears twice.") % {"name": excerpt(raw)})
        else:
            mapping[index] = name
    missing = [c for c in REQUIRED_COLUMNS if c not in mapping.values()]
    if missing:
        errors.append(_("Missing column(s): %(names)s.") % {"names": ", ".join(missing)})
    if errors:
        allowed = ", ".join(ENTRY_COLUMNS)
        errors.append(_("The columns are: %(names)s.") % {"names": allowed})
        raise InvalidInput(FieldError(("file",), message, "columns") for message in errors)
    return mapping


def _unguard(text: str) -> str:
    """Undo the quote our export puts before formula-like cells, and the ="…" around
    identifiers and phone numbers (kit.tables.code_cell)."""
    text = code_text(text)
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def _split_members(text: str) -> list[str]:
    for separator in MEMBER_SEPARATORS[1:]:
        text = text.replace(separator, MEMBER_SEPARATORS[0])
    return [name.strip() for name in text.split(MEMBER_SEPARATORS[0]) if name.strip()]


def row_values(mapping: dict[int, str], values: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for index, name in mapping.items():
        text = _unguard(values[index]) if index < len(values) else ""
        data[name] = _split_members(text) if name == "members" else text
    if not data.get("founded_on"):
        data["founded_on"] = None
    return data


def errors_fields(errors: list[FieldError]) -> set[str | int]:
    return {e.loc[2] for e in errors if len(e.loc) > 2}


@dataclass
class Prepared:
    line: int
    data: EntryCreate
    track: Track


class RowChecker:
    """The rules for one file: tracks and taken titles loaded once, titles seen so far."""

    def __init__(self, db: Session, contest: Contest) -> None:
        self.tracks: dict[str, Track] = {}
        for track in tracks(db, contest.id):
            self.tracks[track.code.lower()] = track
            self.tracks.setdefault(track.name.strip().lower(), track)
            if track.name_en.strip():  # an English export's track column reads back too
                self.tracks.setdefault(track.name_en.strip().lower(), track)
        self.taken = taken_titles(db, contest.id)
        self.seen: dict[str, int] = {}
        self.today = reference_day(contest)

    def _parse(self, line: int, raw: dict[str, Any]) -> tuple[EntryCreate, list[FieldError]]:
        try:
            return EntryCreate.model_validate(raw), []
        except ValidationError as exc:
            errors = list(invalid_input(exc, prefix=("rows", line)).errors)
        bad = errors_fields(errors)
        # Check the remaining fields too, so one pass reports everything wrong with the row.
        rest = {k: v for k, v in raw.items() if k not in bad}
        return EntryCreate.model_validate(rest), errors

    def check(self, line: int, raw: dict[str, Any]) -> tuple[Prepared | None, list[FieldError]]:
        data, errors = self._parse(line, raw)
        track = self.tracks.get(data.track_code.lower()) if data.track_code else None
        found: list[FieldError] = []
        if not data.track_code and "track_code" not in errors_fields(errors):
            found.append(FieldError(("track_code",), _("This field is required."), "missing"))
        elif track is None and data.track_code:
            codes = ", ".join(sorted({t.code for t in self.tracks.values()}))
            message = _("Unknown track. This contest's tracks are: %(codes)s.") % {"codes": codes}
            found.append(FieldError(("track_code",), message, "unknown"))
        rules = track_rules(track) if track else None
        found.extend(eligibility.check(candidate(data), rules, today=self.today))
        found.extend(self._title(line, data.title))
        errors.extend(FieldError(("rows", line, *e.loc), e.message, e.code) for e in found)
        if errors or track is None:
            return None, errors
        return Prepared(line, data.model_copy(update={"track_code": track.code}), track), []

    def _title(self, line: int, title: str) -> list[FieldError]:
        if not title:
            return []
        key = eligibility.title_key(title)
        if key in self.seen:
            message = _("Same title as line %(line)s of this file.") % {"line": self.seen[key]}
            return [FieldError(("title",), message, "duplicate")]
        self.seen[key] = line
        duplicate = eligibility.duplicate_title(title, self.taken)
        return [duplicate] if duplicate else []


def check_table(db: Session, contest: Contest, table: Table) -> list[Prepared]:
    """Every row checked; raises InvalidInput with every problem of every bad row."""
    mapping = column_map(table.header)
    if not table.rows:
        raise InvalidInput.single("file", _("The file has no entries below its header."))
    checker = RowChecker(db, contest)
    prepared, errors = [], []
    for line, values in table.rows:
        item, problems = checker.check(line, row_values(mapping, values))
        errors.extend(problems)
        if item is not None:
            prepared.append(item)
    if errors:
        raise InvalidInput(errors)
    return prepared


def _insert(db: Session, contest: Contest, prepared: list[Prepared]) -> list[int]:
    now = utcnow()
    values = [
        {
            "contest_id": contest.id,
            "track_id": item.track.id,
            "owner_id": None,
            "created_at": now,
            "updated_at": now,
            **normalised_values(item.data),
        }
        for item in prepared
    ]
    ids = _insert_entries(db, values)
    members = [
        {"entry_id": entry_id, "position": position, "name": name}
        for entry_id, item in zip(ids, prepared, strict=True)
        for position, name in enumerate(item.data.members)
    ]
    if members:
        db.execute(insert(table_of(EntryMember)), members)
    first = first_round(db, contest.id)
    if first is not None:
        db.execute(
            insert(table_of(RoundEntry)),
            [{"round_id": first.id, "entry_id": i, "status": EntryStatus.in_.value} for i in ids],
        )
    return ids


def _insert_entries(db: Session, values: list[dict[str, Any]]) -> list[int]:
    """Insert the entries; their new ids, in the order of the rows."""
    table = table_of(Entry)
    if db.get_bind().dialect.name == "postgresql":
        # Ids taken from the sequence first, then a plain executemany: psycopg would
        # otherwise parse the text of each huge multi-row INSERT ... RETURNING, which cost
        # most of a 5,000-row import.
        ids = sorted(db.execute(NEXT_ENTRY_IDS, {"count": len(values)}).scalars())
        db.execute(insert(table), [{**row, "id": i} for row, i in zip(values, ids, strict=True)])
        return ids
    # SQLite: insertmanyvalues sends a few multi-row INSERTs and returns the ids in order.
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.execute(statement, values).scalars())


def import_entries(
    db: Session,
    *,
    actor: User,
    contest: Contest,
    path: Path,
    filename: str = "",
    late_reason: str = "",
) -> int:
    """Import every row of the file, or none; returns how many entries were added.
    Once a round has opened the entries are late, as one added by hand: the organiser
    says why (``late_reason``, audited as ``entry.late_import``)."""
    late = rounds_opened(db, contest.id)
    if late and not late_reason.strip():
        raise late_reason_missing(imported=True)
    if len(late_reason) > LATE_REASON_MAX:
        message = _("Too long: at most %(max)s characters.") % {"max": LATE_REASON_MAX}
        raise InvalidInput.single("late_reason", message)
    prepared = check_table(db, contest, read_table(path))
    try:
        with db.begin_nested():
            ids = _insert(db, contest, prepared)
    except IntegrityError:
        message = _("Another entry with one of these titles was added meanwhile; please retry.")
        raise InvalidInput.single("file", message) from None
    audit.record(
        db,
        actor=actor,
        action="entry.late_import" if late else "entry.import",
        object_type="entries",
        contest_id=contest.id,
        after={"imported": len(ids), "first_id": ids[0], "last_id": ids[-1], "file": filename},
        reason=late_reason.strip() if late else "",
    )
    db.flush()
    return len(ids)


def template_csv(contest_tracks: list[Track]) -> bytes:
    """A file to start from: the header and one example row per track (UTF-8 with BOM)."""
    rows = []
    for track in contest_tracks:
        company = track.requires_company
        example = {
            "track_code": track.code,
            "title": f"示例项目（{track.name}）",
            "summary": "一句话介绍项目做什么、面向谁、进展如何。",
            "field": "医疗器械",
            "institution": "复旦大学",
            "city": "上海",
            "leader_name": "王小明",
            "leader_email": "leader@example.com",
            "leader_phone": "13800138000",
            "members": "李雷;韩梅梅",
            "company_name": "上海示例医疗科技有限公司" if company else "",
            "credit_code": "91310000MA1FL4B24G" if company else "",
            "founded_on": "2021-05-01" if company else "",
            "video_url": "",
        }
        rows.append([example[name] for name in ENTRY_COLUMNS])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([list(ENTRY_COLUMNS), *rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
