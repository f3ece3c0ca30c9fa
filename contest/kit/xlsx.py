"""A streaming XLSX writer: rows go straight into the deflated sheet XML, 500 at a time.

Why not xlsxwriter or openpyxl: measured on this machine, xlsxwriter's constant_memory
mode writes ~190,000 cells a second (openpyxl's write_only is slower), so a whole-contest
workbook of 100,000 entries (1.8 million cells for the entries sheet alone) would take
far more than the 10 s budget. Writing the few XML parts ourselves did ~1.5 million
cells a second with a function call per cell; a list comprehension per column of a
500-row batch writes the same bytes about 1.5 times as fast. Memory stays flat: nothing
is kept but the current batch.

The file is a minimal, valid SpreadsheetML package: inline strings (no shared string
table to hold in memory), a frozen bold header row with an autofilter, column widths,
and four cell styles: text, score (number format 0.00), date-time and date.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from itertools import chain, islice, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from contest.kit.zip_parts import (
    CHUNK,
    Deflated,
    Deflater,
    SheetPart,
    add_deflated_member,
    crc32_combine,
    deflated,
)
from scoring import format_score

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

# "score": a Fraction or float shown with 2 decimals; "tenths": integer tenths of a point
# (criterion values as stored), shown the same way without any rounding to do.
# "code": an identifier or a phone number, text even when it is all digits.
Kind = Literal["text", "code", "int", "score", "tenths", "datetime", "date"]

MAX_CELL_TEXT = 32767  # Excel refuses longer cells
MAX_ROWS = 1_048_576
EPOCH = datetime(1899, 12, 30)
UNIX_DAY = 25569  # 1970-01-01 as an Excel serial
# XML 1.0 forbids these control characters, even escaped; people paste them by accident.
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")

# Cell styles, indexes into cellXfs of STYLES below.
STYLE_HEADER, STYLE_SCORE, STYLE_DATETIME, STYLE_DATE = 1, 2, 3, 4

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

STYLES = (
    XML_HEAD + f'<styleSheet xmlns="{NS_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF1E6CC"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_name(name: str, taken: set[str]) -> str:
    """A name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    base = SHEET_NAME_BAD.sub("-", name).strip("'") or "Sheet"
    candidate, n = base[:31], 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def xml_text(value: str) -> str:
    """Text for an XML element; cut to Excel's limit, forbidden control characters dropped."""
    if len(value) > MAX_CELL_TEXT:
        value = value[:MAX_CELL_TEXT]
    elif value.isprintable() and "&" not in value and "<" not in value and ">" not in value:
        return value  # the common case, several times faster than the checks below
    if ILLEGAL_XML.search(value):
        value = ILLEGAL_XML.sub("", value)
    return escape(value)


def _serials(values: Iterable[datetime | int | None], zone: ZoneInfo) -> list[str | None]:
    """Moments as Excel date serials in the display time zone (Excel has no zones), to the
    second. A moment is an aware datetime, a naive one (already local) or whole seconds
    since 1970 UTC (what the big exports select, see contest/exports/tables.py)."""
    offset = _offsets(zone)

    def serial(seconds: int) -> str:
        days, rest = divmod(seconds + offset(seconds), 86400)
        return repr(UNIX_DAY + days + rest / 86400)

    serials: list[str | None] = []
    for value in values:
        if value is None:
            serials.append(None)
        elif isinstance(value, int):
            serials.append(serial(value))
        elif value.tzinfo is None:  # already local
            delta = value - EPOCH
            serials.append(repr(delta.days + delta.seconds / 86400))
        else:
            serials.append(serial(int(value.timestamp() // 1)))
    return serials


def _offsets(zone: ZoneInfo) -> Callable[[int], int]:
    """Seconds east of UTC in `zone` at a moment (seconds since 1970), looked up once per
    minute of time: offsets change on whole minutes, and an export's moments cluster."""
    known: dict[int, int] = {}

    def offset(moment: int) -> int:
        minute = moment // 60
        found = known.get(minute)
        if found is None:
            at = datetime.fromtimestamp(minute * 60, UTC).astimezone(zone)
            utc_offset = at.utcoffset()
            assert utc_offset is not None  # astimezone(zone) gives an aware time
            found = known[minute] = int(utc_offset.total_seconds())
        return found

    return offset


# A column's values -> one <c> element per row. Cells carry no r="A1" reference (it is
# optional in SpreadsheetML): each row lists every cell, an empty one as <c/>.
ColumnCells = Callable[[Sequence[Any]], list[str]]
EMPTY = "<c/>"
# Criterion values and totals are tenths of a point, up to 1000.0 points in practice:
# looking their cells up is faster than formatting 3 million of them.
TENTHS_CELLS = [f'<c s="{STYLE_SCORE}"><v>{v // 10}.{v % 10}</v></c>' for v in range(10_000)]


def _text_cell(value: Any) -> str:
    """A text cell the general way: any value, escaped, cut, spaces kept."""
    if value is None or value == "":
        return EMPTY
    text = xml_text(value if value.__class__ is str else str(value))
    if not text:
        return EMPTY
    if text[0] == " " or text[-1] == " ":
        return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def _all_plain(values: Sequence[Any]) -> bool:
    """Whether every value is non-empty text needing no escaping, cutting or kept spaces,
    checked for the whole batch at once: joined by "|", an empty value shows as "||", an
    edge space as "| " or " |" (a "|" in the text only sends the batch the long way)."""
    if set(map(type, values)) != {str}:
        return False
    joined = "|" + "|".join(values) + "|"
    return (
        joined.isprintable()
        and "&" not in joined
        and "<" not in joined
        and ">" not in joined
        and "||" not in joined
        and "| " not in joined
        and " |" not in joined
        and max(map(len, values)) <= MAX_CELL_TEXT
    )


def _column_cells(kinds: Sequence[Kind], zone: ZoneInfo) -> list[ColumnCells]:
    """A list comprehension per kind of column: each common cell is an f-string rather than
    a function call, which is most of the writing time (the whole-contest workbook has 14
    million cells at 100,000 entries)."""

    def text(values: Sequence[Any]) -> list[str]:
        if _all_plain(values):
            return [f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values]
        # Most text is short, printable and needs no escaping; the rest goes the long way.
        return [
            f'<c t="inlineStr"><is><t>{v}</t></is></c>'
            if v.__class__ is str
            and 0 < len(v) <= MAX_CELL_TEXT
            and v.isprintable()
            and "&" not in v
            and "<" not in v
            and ">" not in v
            and v[0] != " "
            and v[-1] != " "
            else _text_cell(v)
            for v in values
        ]

    def integer(values: Sequence[Any]) -> list[str]:
        return [
            EMPTY if v is None else f"<c><v>{v if v.__class__ is int else int(v)}</v></c>"
            for v in values
        ]

    def score(values: Sequence[Any]) -> list[str]:
        # The stored number is already rounded half up to 2 decimals (docs/rules.md 3.7), so a sum
        # in Excel adds what people see.
        return [
            EMPTY if v is None else f'<c s="{STYLE_SCORE}"><v>{format_score(v)}</v></c>'
            for v in values
        ]

    def tenths(values: Sequence[Any]) -> list[str]:
        cells = TENTHS_CELLS
        return [
            cells[v]
            if v is not None and 0 <= v < 10_000
            else EMPTY
            if v is None
            else f'<c s="{STYLE_SCORE}"><v>{v // 10}.{v % 10}</v></c>'
            for v in values
        ]

    def moment(values: Sequence[Any]) -> list[str]:
        return [
            EMPTY if v is None else f'<c s="{STYLE_DATETIME}"><v>{v}</v></c>'
            for v in _serials(values, zone)
        ]

    def day(values: Sequence[Any]) -> list[str]:
        epoch = EPOCH.date()
        return [
            EMPTY if v is None else f'<c s="{STYLE_DATE}"><v>{(v - epoch).days}</v></c>'
            for v in values
        ]

    makers: dict[str, ColumnCells] = {
        "text": text,
        "code": text,  # a text cell already stays text in a spreadsheet
        "int": integer,
        "score": score,
        "tenths": tenths,
        "datetime": moment,
        "date": day,
    }
    return [makers[kind] for kind in kinds]


class XlsxWriter:
    """Write sheets one after the other into `path`; `close()` finishes the package.

    Only the current row is in memory. Sheets must be written whole, in order.
    """

    def __init__(self, path: Path | str, *, zone: ZoneInfo | None = None) -> None:
        # Level 1: 4x faster than the default for a file ~15% larger; sheet XML is
        # repetitive enough that it still shrinks ~8 times.
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.zone = zone or ZoneInfo("Asia/Shanghai")
        self.sheets: list[tuple[str, str]] = []  # (name, autofilter range)
        self._taken: set[str] = set()

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, error: type[BaseException] | None, *exc: object) -> None:
        if error is None:
            self.close()
        else:  # the file is thrown away: no placeholder sheet or workbook parts to add
            self.zip.close()

    def add_sheet(
        self,
        name: str,
        headers: Sequence[str],
        kinds: Sequence[Kind],
        rows: Iterable[Sequence[Any]],
        *,
        widths: Sequence[float] | None = None,
    ) -> int:
        """Write one sheet: a header row, then every row; returns the number of data rows."""
        number = len(self.sheets) + 1
        title = sheet_name(name, self._taken)
        with self.zip.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as raw:
            out = _Buffered(raw)
            out.write(_sheet_head(number == 1, headers, widths))
            count = _write_rows(out, _column_cells(kinds, self.zone), rows)
            out.write(_sheet_tail(len(headers), count))
            out.flush()
        self.sheets.append((title, _filter_range(len(headers), count)))
        return count

    def add_sheet_parts(
        self,
        name: str,
        headers: Sequence[str],
        parts: Sequence[SheetPart],
        *,
        widths: Sequence[float] | None = None,
    ) -> int:
        """Add a sheet whose rows were written apart (`write_part`, in other processes),
        one part after the other; the parts' files are copied as they are, not
        recompressed. Returns the number of data rows."""
        number = len(self.sheets) + 1
        title = sheet_name(name, self._taken)
        count = sum(part.rows for part in parts)
        head = deflated(_sheet_head(number == 1, headers, widths).encode("utf-8"))
        tail = deflated(_sheet_tail(len(headers), count).encode("utf-8"), final=True)
        pieces: list[Deflated | SheetPart] = [head, *parts, tail]
        crc = 0
        for piece in pieces:
            crc = crc32_combine(crc, piece.crc, piece.size)
        raw = add_deflated_member(
            self.zip,
            f"xl/worksheets/sheet{number}.xml",
            crc=crc,
            size=sum(piece.size for piece in pieces),
            compressed_size=sum(piece.compressed_size for piece in pieces),
        )
        raw.write(head.data)
        for part in parts:
            with open(part.path, "rb") as source:
                shutil.copyfileobj(source, raw, CHUNK)
        raw.write(tail.data)
        self.sheets.append((title, _filter_range(len(headers), count)))
        return count

    def close(self) -> None:
        if self.zip.fp is None:
            return
        if not self.sheets:
            self.add_sheet("Sheet1", [""], ["text"], [])
        parts = {
            "[Content_Types].xml": _content_types(len(self.sheets)),
            "_rels/.rels": _root_rels(),
            "docProps/app.xml": _app_props(),
            "docProps/core.xml": _core_props(),
            "xl/workbook.xml": _workbook(self.sheets),
            "xl/_rels/workbook.xml.rels": _workbook_rels(len(self.sheets)),
            "xl/styles.xml": STYLES,
        }
        for part, text in parts.items():
            self.zip.writestr(part, text.encode("utf-8"))
        self.zip.close()


class _Buffered:
    """Collects small strings and hands the compressor ~256 kB at a time."""

    LIMIT = 1 << 18

    def __init__(self, raw: SupportsWrite[bytes]) -> None:
        self.raw = raw
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= self.LIMIT:
            self.flush()

    def flush(self) -> None:
        self.raw.write("".join(self.parts).encode("utf-8"))
        self.parts.clear()
        self.size = 0


ROW_BATCH = 500


def _write_rows(out: _Buffered, columns: list[ColumnCells], rows: Iterable[Sequence[Any]]) -> int:
    """Write the rows a batch at a time, column by column: a list comprehension per column
    makes each common cell an f-string, not a function call (7.5 million cells in the
    whole-contest workbook's score sheets)."""
    count = 0
    it = iter(rows)
    while batch := list(islice(it, ROW_BATCH)):
        if count + len(batch) >= MAX_ROWS:
            raise ValueError(f"more than {MAX_ROWS - 1} rows do not fit in one sheet")
        values = zip(*batch, strict=True)
        cells = [make(column) for make, column in zip(columns, values, strict=True)]
        out.write("".join(chain.from_iterable(zip(repeat("<row>"), *cells, repeat("</row>")))))
        count += len(batch)
    return count


def _sheet_head(selected: bool, headers: Sequence[str], widths: Sequence[float] | None) -> str:
    """The sheet's XML up to and with its header row."""
    tab = ' tabSelected="1"' if selected else ""
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w:.1f}" customWidth="1"/>'
        for i, w in enumerate(widths or [14.0] * len(headers), start=1)
    )
    header_cells = "".join(
        f'<c t="inlineStr" s="{STYLE_HEADER}"><is><t>{xml_text(header)}</t></is></c>'
        for header in headers
    )
    return (
        XML_HEAD + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        f'<sheetViews><sheetView workbookViewId="0"{tab}>'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData><row>{header_cells}</row>"
    )


def _filter_range(columns: int, rows: int) -> str:
    """The header and every data row: the autofilter's range."""
    return f"A1:{column_letter(columns - 1)}{rows + 1}"


def _sheet_tail(columns: int, rows: int) -> str:
    return (
        f'</sheetData><autoFilter ref="{_filter_range(columns, rows)}"/>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
        'header="0.3" footer="0.3"/></worksheet>'
    )


def write_part(
    path: Path, kinds: Sequence[Kind], rows: Iterable[Sequence[Any]], zone: ZoneInfo
) -> SheetPart:
    """Some rows of a sheet as a piece of deflated XML in `path`, to be joined with the
    other pieces by `XlsxWriter.add_sheet_parts` (how other processes write a sheet)."""
    with open(path, "wb") as file:
        deflater = Deflater(file)
        out = _Buffered(deflater)
        count = _write_rows(out, _column_cells(kinds, zone), rows)
        out.flush()
        deflater.finish()
    return SheetPart(str(path), deflater.crc, deflater.size, deflater.compressed_size, count)


def _workbook(sheets: list[tuple[str, str]]) -> str:
    entries = "".join(
        f'<sheet name={quoteattr(name)} sheetId="{n}" r:id="rId{n}"/>'
        for n, (name, _range) in enumerate(sheets, start=1)
    )
    # Excel keeps each sheet's autofilter range in a hidden defined name.
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
        f"{escape(_quoted(name))}!{_absolute(ref)}</definedName>"
        for n, (name, ref) in enumerate(sheets)
    )
    return (
        XML_HEAD + f'<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{entries}</sheets><definedNames>{names}</definedNames></workbook>"
    )


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    start, end = ref.split(":")
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in (start, end))


def _workbook_rels(count: int) -> str:
    sheet_type = f"{NS_REL}/worksheet"
    rels = "".join(
        f'<Relationship Id="rId{n}" Type="{sheet_type}" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, count + 1)
    )
    styles = f'<Relationship Id="rId{count + 1}" Type="{NS_REL}/styles" Target="styles.xml"/>'
    return XML_HEAD + f'<Relationships xmlns="{NS_PKG_REL}">{rels}{styles}</Relationships>'


def _root_rels() -> str:
    return (
        XML_HEAD + f'<Relationships xmlns="{NS_PKG_REL}">'
        f'<Relationship Id="rId1" Type="{NS_REL}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{NS_REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    )


def _content_types(count: int) -> str:
    ct = "application/vnd.openxmlformats-officedocument"
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" '
        f'ContentType="{ct}.spreadsheetml.worksheet+xml"/>'
        for n in range(1, count + 1)
    )
    return (
        XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.spreadsheetml.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{ct}.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{ct}.extended-properties+xml"/>'
        f"{sheets}</Types>"
    )


def _app_props() -> str:
    return (
        XML_HEAD + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>Tianjiao</Application></Properties>'
    )


def _core_props() -> str:
    return (
        XML_HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:creator>Tianjiao</dc:creator></cp:coreProperties>"
    )
