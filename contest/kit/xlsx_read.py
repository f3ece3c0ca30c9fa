"""Reading the first sheet of an XLSX workbook as rows of text, safely.

An uploaded workbook is hostile until read: a few KB can declare a sheet of 16,384 columns,
put its second row a million rows below the first, inflate to gigabytes, or hide entity
tricks in its XML. So this reader, instead of a general spreadsheet library:

- streams the sheet's XML with expat and keeps only the current row: declared dimensions
  (`<dimension ref="A1:XFD3002">`) are ignored and gaps between rows cost nothing;
- refuses any document type declaration (so no entity can be defined or expanded);
- counts every part's bytes as they are inflated and stops at a bound;
- bounds the rows, the columns, each cell's text and the shared strings;
- turns every way a file can be broken (not a ZIP, corrupt deflate data, malformed XML, an
  undefined entity, no sheet, a shared-string index it does not hold) into `WorkbookError`
  with a message naming the problem.
"""

import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel

from contest.core.i18n import _

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CHUNK = 64 * 1024
EXCEL_MAX_ROW = 1_048_576
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})?", re.ASCII)
NUMBER = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?", re.ASCII)


class WorkbookError(ValueError):
    """The workbook cannot be read; the message (translated) says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    rows: int = 20_000
    columns: int = 100
    cell_chars: int = 32_767
    part_bytes: int = 64 * 1024 * 1024
    shared_strings: int = 500_000
    members: int = 1_000


def read_rows(path: Path, limits: Limits | None = None) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) for each row of the first sheet that has a cell, in order."""
    limits = limits or Limits()
    try:
        with zipfile.ZipFile(path) as archive:
            yield from _Workbook(archive, limits).rows()
    except WorkbookError:
        raise
    except zipfile.BadZipFile:
        message = _("The workbook could not be read: it is not a valid XLSX (ZIP) file.")
        raise WorkbookError(message) from None
    except (zlib.error, EOFError, OSError):
        message = _("The workbook could not be read: its compressed data is corrupt.")
        raise WorkbookError(message) from None
    except (NotImplementedError, RuntimeError):
        # Encrypted members, or a compression method other than deflate.
        message = _("The workbook could not be read: it is encrypted or packed oddly.")
        raise WorkbookError(message) from None


class _Workbook:
    def __init__(self, archive: zipfile.ZipFile, limits: Limits) -> None:
        self.archive = archive
        self.limits = limits
        if len(archive.infolist()) > limits.members:
            raise WorkbookError(_("The workbook has too many parts."))
        self.names = {info.filename for info in archive.infolist()}

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        sheet, strings_part, styles_part = self._parts()
        strings = self._shared_strings(strings_part) if strings_part else []
        dates = self._date_styles(styles_part) if styles_part else frozenset()
        reader = _SheetReader(strings, dates, self.limits)
        yield from self._stream(sheet, reader.handlers(), reader.take_rows)

    def _parts(self) -> tuple[str, str | None, str | None]:
        """The first sheet's part, and the shared strings' and styles' parts if any."""
        workbook = _Collector({"sheet"})
        self._parse("xl/workbook.xml", workbook.handlers())
        if not workbook.found:
            raise WorkbookError(_("The workbook has no sheet."))
        relations = _Collector({"Relationship"})
        self._parse("xl/_rels/workbook.xml.rels", relations.handlers())
        targets = {r.get("Id", ""): r.get("Target", "") for r in relations.found}
        sheet_id = workbook.found[0].get(f"{NS_DOC_REL} id", "")
        sheet = _part_name(targets.get(sheet_id, ""))
        if sheet not in self.names:
            raise WorkbookError(_("The workbook has no sheet."))
        by_type = {
            r.get("Type", "").rsplit("/", 1)[-1]: r.get("Target", "") for r in relations.found
        }
        strings = _part_name(by_type.get("sharedStrings", "sharedStrings.xml"))
        styles = _part_name(by_type.get("styles", "styles.xml"))
        return (
            sheet,
            strings if strings in self.names else None,
            styles if styles in self.names else None,
        )

    def _shared_strings(self, part: str) -> list[str]:
        reader = _StringsReader(self.limits)
        self._parse(part, reader.handlers())
        return reader.strings

    def _date_styles(self, part: str) -> frozenset[int]:
        reader = _StylesReader()
        self._parse(part, reader.handlers())
        return reader.date_styles()

    def _parse(self, part: str, handlers: dict[str, Callable[..., None]]) -> None:
        for _row in self._stream(part, handlers, None):
            pass

    def _stream(
        self,
        part: str,
        handlers: dict[str, Callable[..., None]],
        take: Callable[[], list[Any]] | None,
    ) -> Iterator[Any]:
        """Feed a part to expat as it inflates; yields what `take` collected after each
        chunk (the sheet's finished rows) so that only the current rows stay in memory."""
        parser = _parser(handlers)
        if part not in self.names:
            raise WorkbookError(_("The workbook is missing its part %(part)s.") % {"part": part})
        if self.archive.getinfo(part).file_size > self.limits.part_bytes:
            raise _too_large(part, self.limits)
        inflated = 0
        try:
            with self.archive.open(part) as stream:
                for chunk in _chunks(stream):
                    inflated += len(chunk)
                    if inflated > self.limits.part_bytes:
                        raise _too_large(part, self.limits)
                    parser.Parse(chunk, False)
                    if take is not None:
                        yield from take()
                parser.Parse(b"", True)
        except expat.ExpatError as exc:
            raise WorkbookError(
                _("The workbook's part %(part)s is not well-formed XML (%(error)s, line %(line)s).")
                % {"part": part, "error": expat.ErrorString(exc.code), "line": exc.lineno}
            ) from None
        if take is not None:
            yield from take()


def _chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def _too_large(part: str, limits: Limits) -> WorkbookError:
    return WorkbookError(
        _("The workbook's part %(part)s is larger than %(mb)s MB once unpacked.")
        % {"part": part, "mb": limits.part_bytes // (1024 * 1024)}
    )


def _part_name(target: str) -> str:
    """A relationship's target as a name in the archive (relative to xl/ unless absolute)."""
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in f"xl/{target}".split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _refuse_dtd(*_args: object) -> None:
    raise WorkbookError(
        _("The workbook contains a document type declaration (DTD), which is not allowed.")
    )


def _parser(handlers: dict[str, Callable[..., None]]) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.buffer_text = True
    for name, handler in handlers.items():
        setattr(parser, name, handler)
    return parser


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


@dataclass
class _Collector:
    """The attributes of every element with one of the given local names."""

    wanted: set[str]
    found: list[dict[str, str]] = field(default_factory=list)

    def handlers(self) -> dict[str, Callable[..., None]]:
        return {"StartElementHandler": self.start}

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if _local(name) in self.wanted and len(self.found) < 10_000:
            self.found.append(attributes)


class _StringsReader:
    """The shared strings: each `<si>`'s text runs, without phonetic guides (`<rPh>`)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.length = 0
        self.in_text = False
        self.phonetic = 0

    def handlers(self) -> dict[str, Callable[..., None]]:
        return {
            "StartElementHandler": self.start,
            "EndElementHandler": self.end,
            "CharacterDataHandler": self.text,
        }

    def start(self, name: str, _attributes: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            self.parts, self.length = [], 0
        elif local == "t":
            self.in_text = True
        elif local == "rPh":
            self.phonetic += 1

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "t":
            self.in_text = False
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "si":
            if len(self.strings) >= self.limits.shared_strings:
                raise WorkbookError(_("The workbook has too many different texts."))
            self.strings.append("".join(self.parts))

    def text(self, data: str) -> None:
        if self.in_text and not self.phonetic:
            self.length += len(data)
            if self.length > self.limits.cell_chars:
                raise _cell_too_long(None, self.limits)
            self.parts.append(data)


class _StylesReader:
    """Which cell styles show a date: Excel stores dates as numbers and says so by style."""

    def __init__(self) -> None:
        self.formats: dict[int, str] = dict(BUILTIN_FORMATS)
        self.xf_formats: list[int] = []
        self.in_cell_xfs = False

    def handlers(self) -> dict[str, Callable[..., None]]:
        return {"StartElementHandler": self.start, "EndElementHandler": self.end}

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt":
            number = _ascii_int(attributes.get("numFmtId", ""))
            if number is not None:
                self.formats[number] = attributes.get("formatCode", "")
        elif local == "cellXfs":
            self.in_cell_xfs = True
        elif local == "xf" and self.in_cell_xfs and len(self.xf_formats) < 100_000:
            self.xf_formats.append(_ascii_int(attributes.get("numFmtId", "0")) or 0)

    def end(self, name: str) -> None:
        if _local(name) == "cellXfs":
            self.in_cell_xfs = False

    def date_styles(self) -> frozenset[int]:
        return frozenset(
            index
            for index, number in enumerate(self.xf_formats)
            if is_date_format(self.formats.get(number, ""))
        )


class _SheetReader:
    """The sheet's rows as they stream past: only the row being read is kept."""

    def __init__(self, strings: list[str], dates: frozenset[int], limits: Limits) -> None:
        self.strings = strings
        self.dates = dates
        self.limits = limits
        self.done: list[tuple[int, list[str]]] = []
        self.row_number = 0
        self.rows_seen = 0
        self.cells: dict[int, str] = {}
        self.column = -1
        self.kind = ""
        self.style = 0
        self.reference = ""
        self.text: list[str] | None = None
        self.length = 0

    def handlers(self) -> dict[str, Callable[..., None]]:
        return {
            "StartElementHandler": self.start,
            "EndElementHandler": self.end,
            "CharacterDataHandler": self.characters,
        }

    def take_rows(self) -> list[tuple[int, list[str]]]:
        rows, self.done = self.done, []
        return rows

    def start(self, name: str, attributes: dict[str, str]) -> None:
        local = _local(name)
        if local == "c":
            self._start_cell(attributes)
        elif local in ("v", "t") and self.column >= 0:
            self.text = self.text if self.text is not None else []
        elif local == "row":
            number = _ascii_int(attributes.get("r", ""))
            self.row_number = number if number is not None else self.row_number + 1
            if not 0 < self.row_number <= EXCEL_MAX_ROW:
                raise WorkbookError(_("The sheet has a row beyond the last row Excel allows."))
            self.cells, self.column = {}, -1

    def _start_cell(self, attributes: dict[str, str]) -> None:
        self.reference = attributes.get("r", "")
        matched = CELL_REFERENCE.fullmatch(self.reference) if self.reference else None
        self.column = _column_index(matched.group(1)) if matched else self.column + 1
        if self.column >= self.limits.columns:
            raise WorkbookError(
                _("Row %(row)s has cells beyond column %(max)s; a file may have %(max)s columns.")
                % {"row": self.row_number, "max": self.limits.columns}
            )
        self.kind = attributes.get("t", "n")
        self.style = _ascii_int(attributes.get("s", "0")) or 0
        self.text, self.length = None, 0

    def characters(self, data: str) -> None:
        if self.text is not None:
            self.length += len(data)
            if self.length > self.limits.cell_chars:
                raise _cell_too_long(self.reference, self.limits)
            self.text.append(data)

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "c":
            value = self._value("".join(self.text or ()))
            if value:
                self.cells[self.column] = value
            self.text = None
        elif local == "row":
            self._finish_row()

    def _finish_row(self) -> None:
        if not self.cells:
            return
        self.rows_seen += 1
        if self.rows_seen > self.limits.rows + 1:  # the header is not an entry
            raise too_many_rows(self.limits.rows)
        values = [""] * (max(self.cells) + 1)
        for index, value in self.cells.items():
            values[index] = value
        self.done.append((self.row_number, values))
        self.cells = {}

    def _value(self, text: str) -> str:
        kind = self.kind
        if kind == "s":
            index = _ascii_int(text.strip())
            if index is None or index >= len(self.strings):
                raise WorkbookError(
                    _("Cell %(cell)s refers to a shared text the workbook does not contain.")
                    % {"cell": self.reference or "?"}
                )
            return self.strings[index].strip()
        if kind in ("inlineStr", "str", "e"):
            return text.strip()
        if kind == "b":
            return "TRUE" if text.strip() == "1" else "FALSE" if text.strip() == "0" else ""
        if kind == "d":
            return _iso_text(text.strip())
        return self._number(text.strip())

    def _number(self, text: str) -> str:
        if not text:
            return ""
        if NUMBER.fullmatch(text) is None:
            raise WorkbookError(
                _("Cell %(cell)s should hold a number.") % {"cell": self.reference or "?"}
            )
        number = float(text)
        if self.style in self.dates:
            return _serial_date(number, self.reference)
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return repr(number)


def too_many_rows(limit: int) -> WorkbookError:
    return WorkbookError(
        _("The file has more than %(max)s entries; import at most %(max)s at a time.")
        % {"max": f"{limit:,}"}
    )


def _cell_too_long(reference: str | None, limits: Limits) -> WorkbookError:
    return WorkbookError(
        _("Cell %(cell)s holds more than %(max)s characters.")
        % {"cell": reference or "?", "max": f"{limits.cell_chars:,}"}
    )


def _ascii_int(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _serial_date(serial: float, reference: str) -> str:
    try:
        moment = from_excel(serial)
    except (OverflowError, ValueError):
        raise WorkbookError(
            _("Cell %(cell)s holds a date Excel cannot show.") % {"cell": reference or "?"}
        ) from None
    if not isinstance(moment, datetime):
        return str(moment)
    return moment.date().isoformat() if moment.time() == time.min else moment.isoformat()


def _iso_text(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return moment.date().isoformat() if moment.time() == time.min else moment.isoformat()
