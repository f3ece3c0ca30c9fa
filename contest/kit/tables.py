"""Exports (docs/rules.md section 6): tables streamed as CSV (UTF-8 with BOM) or written as XLSX.

A `Table` is a header of typed columns and a function that yields its rows from a
database session, one at a time (from a server-side cursor where the table is large).
The same table becomes a CSV, streamed row by row, or a sheet of an XLSX workbook,
written with constant memory into a temporary file that is streamed and then deleted.

Headers and translated values (statuses, tiers) are resolved when the table is built,
in the request's locale: rows are produced later, while the response streams.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sqlmodel import Session

from contest.core.db import Database
from contest.kit.xlsx import Kind, XlsxWriter
from scoring import format_score

BOM = "\ufeff"
CSV_BATCH = 1000
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
CHUNK = 1 << 16


def safe_cell(value: object) -> str:
    """Text for a CSV cell, quoted with ' when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


CODE_CHARACTERS = frozenset("0123456789+- ")


def code_cell(value: object) -> str:
    """An identifier or phone number for a CSV cell that spreadsheets keep as text.

    Excel, WPS and LibreOffice read an all-digit cell as a number: 913100001234567896
    becomes 9.13100001234568E+17 and 0571-8765432 loses its 0. Written as the formula
    ="913100001234567896", each of them shows the text itself; a file saved back from the
    spreadsheet holds the plain text again, and our import reads both forms
    (`code_text`). Only digits, +, - and spaces are wrapped, so nothing else can run."""
    text = "" if value is None else str(value)
    if text and set(text) <= CODE_CHARACTERS and any(c.isdigit() for c in text):
        return f'="{text}"'
    return safe_cell(text)


def code_text(cell: str) -> str:
    """The value of a cell written by code_cell (any other text is returned as it is)."""
    if cell.startswith('="') and cell.endswith('"') and len(cell) >= 3:
        inner = cell[2:-1]
        if set(inner) <= CODE_CHARACTERS:
            return inner
    return cell


def encode_rows(rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_stream(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, batch: int = CSV_BATCH
) -> Iterator[bytes]:
    """A CSV with a BOM (so Excel reads UTF-8), encoded `batch` rows at a time."""
    yield BOM.encode("utf-8") + encode_rows([header])
    it = iter(rows)
    while lines := list(islice(it, batch)):
        yield encode_rows(lines)


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    kind: Kind = "text"
    width: float = 14.0


RowSource = Callable[[Session], Iterator[Sequence[Any]]]


@dataclass(frozen=True)
class Table:
    """One export: a sheet name, a file name (no extension), columns and a row source."""

    name: str
    filename: str
    columns: Sequence[Column]
    rows: RowSource

    @property
    def headers(self) -> list[str]:
        return [c.label for c in self.columns]


def csv_rows(table: Table, rows: Iterable[Sequence[Any]], zone: ZoneInfo) -> Iterator[list[Any]]:
    """Typed values as CSV cells: text guarded against formulas, scores with 2 decimals
    rounded half up, times in the display zone. Ints and None are left to csv.writer.

    Column by kind rather than a function per cell: a 500,000-row sheet has 7.5 million
    cells, and a call each would cost seconds."""
    kinds = [c.kind for c in table.columns]
    text = [i for i, k in enumerate(kinds) if k == "text"]
    codes = [i for i, k in enumerate(kinds) if k == "code"]
    scores = [i for i, k in enumerate(kinds) if k == "score"]
    tenths = [i for i, k in enumerate(kinds) if k == "tenths"]
    moments = [i for i, k in enumerate(kinds) if k == "datetime"]
    days = [i for i, k in enumerate(kinds) if k == "date"]
    starts = frozenset(FORMULA_STARTS)
    for values in rows:
        row = list(values)
        for i in text:
            v = row[i]
            if v and v[0] in starts:
                row[i] = "'" + v
        for i in codes:
            row[i] = code_cell(row[i])
        for i in tenths:
            v = row[i]
            if v is not None:
                row[i] = f"{v // 10}.{v % 10}0"
        for i in moments:
            v = row[i]
            if v is not None:
                # An int is seconds since 1970 UTC (contest/exports_tables.epoch_seconds).
                local = (
                    datetime.fromtimestamp(v, zone) if v.__class__ is int else v.astimezone(zone)
                )
                row[i] = local.isoformat(" ", "seconds")[:19]
        for i in scores:
            if row[i] is not None:
                row[i] = format_score(row[i])
        for i in days:
            if row[i] is not None:
                row[i] = row[i].isoformat()
        yield row


def table_csv(database: Database, table: Table, zone: ZoneInfo) -> Iterator[bytes]:
    """The table as CSV bytes, read in its own session: the request's has closed by now."""
    with database.session(write=False) as db:
        yield from csv_stream(table.headers, csv_rows(table, table.rows(db), zone))


def write_xlsx(
    db: Session, tables: Sequence[Table], zone: ZoneInfo, directory: Path | None = None
) -> Path:
    """Write the tables as the sheets of one workbook in a temporary file; return its path."""
    handle, name = tempfile.mkstemp(suffix=".xlsx", prefix="tianjiao-export-", dir=directory)
    os.close(handle)
    path = Path(name)
    try:
        with XlsxWriter(path, zone=zone) as writer:
            for table in tables:
                writer.add_sheet(
                    table.name,
                    table.headers,
                    [c.kind for c in table.columns],
                    table.rows(db),
                    widths=[c.width for c in table.columns],
                )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def stream_and_delete(path: Path) -> Iterator[bytes]:
    """The file in chunks. It is unlinked at once: the open handle keeps the data readable,
    and the disk space comes back when the stream ends, even if the client goes away."""
    handle = path.open("rb")
    path.unlink(missing_ok=True)
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def content_disposition(filename: str) -> str:
    """An attachment named in UTF-8 (RFC 6266 filename*), with an ASCII fallback."""
    fallback = "".join(c if c.isascii() and c.isalnum() or c in "-_." else "_" for c in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def safe_filename(text: str) -> str:
    """A file name part without path separators or characters Windows refuses."""
    cleaned = "".join("-" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in text)
    return cleaned.strip(" .") or "export"
