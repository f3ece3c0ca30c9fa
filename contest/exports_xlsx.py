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
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from itertools import chain, islice, repeat
from pathlib import Path
from typing import IO, Any, Literal
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

from scoring import format_score

# "score": a Fraction or float shown with 2 decimals; "tenths": integer tenths of a point
# (criterion values as stored), shown the same way without any rounding to do.
Kind = Literal["text", "int", "score", "tenths", "datetime", "date"]

MAX_CELL_TEXT = 32767  # Excel refuses longer cells
MAX_ROWS = 1_048_576
EPOCH = datetime(1899, 12, 30)
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


def _serials(values: Iterable[datetime | None], zone: ZoneInfo) -> list[str | None]:
    """Moments as Excel date serials in the display time zone (Excel has no zones), to the
    second. UTC difference plus the local offset: the same number as converting to local
    time first, without building the local datetime."""
    epoch_utc = EPOCH.replace(tzinfo=UTC)
    serials: list[str | None] = []
    for value in values:
        if value is None:
            serials.append(None)
            continue
        if value.tzinfo is None:  # already local
            delta = value - EPOCH
        else:
            delta = value - epoch_utc + value.astimezone(zone).utcoffset()  # type: ignore[operator]
        serials.append(repr(delta.days + delta.seconds / 86400))
    return serials


# (column letter, row numbers, the column's values) -> one <c> element per row ("" if empty).
ColumnCells = Callable[[str, list[str], Sequence[Any]], list[str]]


def _text_cell(ref: str, value: Any) -> str:
    """A text cell the general way: any value, escaped, cut, spaces kept."""
    if value is None or value == "":
        return ""
    text = xml_text(value if value.__class__ is str else str(value))
    if not text:
        return ""
    if text[0] == " " or text[-1] == " ":
        return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


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

    def text(ref: str, numbers: list[str], values: Sequence[Any]) -> list[str]:
        if _all_plain(values):
            return [
                f'<c r="{ref}{n}" t="inlineStr"><is><t>{v}</t></is></c>'
                for n, v in zip(numbers, values, strict=True)
            ]
        # Most text is short, printable and needs no escaping; the rest goes the long way.
        return [
            f'<c r="{ref}{n}" t="inlineStr"><is><t>{v}</t></is></c>'
            if v.__class__ is str
            and 0 < len(v) <= MAX_CELL_TEXT
            and v.isprintable()
            and "&" not in v
            and "<" not in v
            and ">" not in v
            and v[0] != " "
            and v[-1] != " "
            else _text_cell(ref + n, v)
            for n, v in zip(numbers, values, strict=True)
        ]

    def integer(ref: str, numbers: list[str], values: Sequence[Any]) -> list[str]:
        return [
            "" if v is None else f'<c r="{ref}{n}"><v>{v if v.__class__ is int else int(v)}</v></c>'
            for n, v in zip(numbers, values, strict=True)
        ]

    def score(ref: str, numbers: list[str], values: Sequence[Any]) -> list[str]:
        # The stored number is already rounded half up to 2 decimals (SPEC 3.7), so a sum
        # in Excel adds what people see.
        return [
            "" if v is None else f'<c r="{ref}{n}" s="{STYLE_SCORE}"><v>{format_score(v)}</v></c>'
            for n, v in zip(numbers, values, strict=True)
        ]

    def tenths(ref: str, numbers: list[str], values: Sequence[Any]) -> list[str]:
        return [
            "" if v is None else f'<c r="{ref}{n}" s="{STYLE_SCORE}"><v>{v // 10}.{v % 10}</v></c>'
            for n, v in zip(numbers, values, strict=True)
        ]

    def moment(ref: str, numbers: list[str], values: Sequence[Any]) -> list[str]:
        return [
            "" if v is None else f'<c r="{ref}{n}" s="{STYLE_DATETIME}"><v>{v}</v></c>'
            for n, v in zip(numbers, _serials(values, zone), strict=True)
        ]

    def day(ref: str, numbers: list[str], values: Sequence[Any]) -> list[str]:
        epoch = EPOCH.date()
        return [
            "" if v is None else f'<c r="{ref}{n}" s="{STYLE_DATE}"><v>{(v - epoch).days}</v></c>'
            for n, v in zip(numbers, values, strict=True)
        ]

    makers: dict[str, ColumnCells] = {
        "text": text,
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
        refs = [column_letter(i) for i in range(len(headers))]
        with self.zip.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as raw:
            out = _Buffered(raw)
            out.write(_sheet_head(number == 1, widths or [14.0] * len(headers)))
            out.write('<row r="1">')
            for ref, header in zip(refs, headers, strict=True):
                out.write(f'<c r="{ref}1" t="inlineStr" s="{STYLE_HEADER}"><is><t>')
                out.write(f"{xml_text(header)}</t></is></c>")
            out.write("</row>")
            count = _write_rows(out, refs, _column_cells(kinds, self.zone), rows)
            last = f"{refs[-1]}{count + 1}"
            out.write(f'</sheetData><autoFilter ref="A1:{last}"/>')
            out.write('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" ')
            out.write('header="0.3" footer="0.3"/></worksheet>')
            out.flush()
        self.sheets.append((title, f"A1:{last}"))
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

    def __init__(self, raw: IO[bytes]) -> None:
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


def _write_rows(
    out: _Buffered, refs: list[str], columns: list[ColumnCells], rows: Iterable[Sequence[Any]]
) -> int:
    """Write the rows a batch at a time, column by column: a list comprehension per column
    makes each common cell an f-string, not a function call (7.5 million cells in the
    whole-contest workbook's score sheets)."""
    count = 0
    it = iter(rows)
    while batch := list(islice(it, ROW_BATCH)):
        if count + len(batch) >= MAX_ROWS:
            raise ValueError(f"more than {MAX_ROWS - 1} rows do not fit in one sheet")
        numbers = [str(n) for n in range(count + 2, count + 2 + len(batch))]
        cells = [
            make(ref, numbers, values)
            for ref, make, values in zip(refs, columns, zip(*batch, strict=True), strict=True)
        ]
        starts = [f'<row r="{n}">' for n in numbers]
        out.write("".join(chain.from_iterable(zip(starts, *cells, repeat("</row>")))))
        count += len(batch)
    return count


def _sheet_head(selected: bool, widths: Sequence[float]) -> str:
    tab = ' tabSelected="1"' if selected else ""
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w:.1f}" customWidth="1"/>'
        for i, w in enumerate(widths, start=1)
    )
    return (
        XML_HEAD + f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        f'<sheetViews><sheetView workbookViewId="0"{tab}>'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>"
    )


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
