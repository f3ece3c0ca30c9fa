"""The XLSX reader of imports: what a valid workbook holds, and a named refusal for every
hostile or broken one (bombs, bad XML, entities, missing parts), never a crash."""

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from contest.core.i18n import use_locale
from contest.kit.xlsx_read import Limits, WorkbookError, read_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK = (f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')


def sheet(rows: str, dimension: str = "A1:B2") -> str:
    return (f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
            f"<sheetData>{rows}</sheetData></worksheet>")


def workbook(tmp_path: Path, sheet_xml: str, strings: str | None = None,
             workbook_xml: str = WORKBOOK, **extra: bytes) -> Path:
    path = tmp_path / "book.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", workbook_xml)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if strings is not None:
            archive.writestr("xl/sharedStrings.xml", strings)
        for name, data in extra.items():
            archive.writestr(name.replace("__", "/"), data)
    return path


def refusal(path: Path, limits: Limits | None = None) -> str:
    with use_locale("en"), pytest.raises(WorkbookError) as caught:
        list(read_rows(path, limits))
    return caught.value.message


def test_read_rows_gives_texts_numbers_and_dates_of_an_openpyxl_workbook(tmp_path):
    book = Workbook()
    book.active.append(["title", "phone", "founded_on", "score", "flag"])
    book.active.append(["  心电贴片 ", 13800138000, date(2021, 5, 1), 27.5, True])
    book.active.append([])
    book.active.append(["第二", None, datetime(2021, 5, 1, 8, 30), 3, False])
    path = tmp_path / "book.xlsx"
    book.save(path)

    rows = list(read_rows(path))

    assert rows == [
        (1, ["title", "phone", "founded_on", "score", "flag"]),
        (2, ["心电贴片", "13800138000", "2021-05-01", "27.5", "TRUE"]),
        (4, ["第二", "", "2021-05-01T08:30:00", "3", "FALSE"]),
    ]


def test_read_rows_ignores_declared_dimensions_and_row_gaps(tmp_path):
    # The bomb of the issue: A1:XFD3002 declared, rows 1 and a million apart.
    path = workbook(tmp_path, sheet(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>'
        '<row r="1048576"><c r="B1048576" t="inlineStr"><is><t>b</t></is></c></row>',
        dimension="A1:XFD1048576"))

    assert list(read_rows(path)) == [(1, ["a"]), (1048576, ["", "b"])]


def test_read_rows_resolves_shared_strings_without_phonetic_runs(tmp_path):
    strings = (f'<sst xmlns="{MAIN}"><si><t>复旦</t></si>'
               "<si><r><t>上海</t></r><r><t>交大</t></r><rPh><t>ジ</t></rPh></si></sst>")
    path = workbook(tmp_path, sheet('<row r="1"><c r="A1" t="s"><v>1</v></c>'
                                    '<c r="B1" t="s"><v>0</v></c></row>'), strings)

    assert list(read_rows(path)) == [(1, ["上海交大", "复旦"])]


@pytest.mark.parametrize(("build", "fragment"), [
    (lambda p: (p.write_bytes(b"PK\x03\x04 not a zip"), p)[1], "not a valid XLSX"),
    (lambda p: workbook(p.parent, sheet('<row r="1"><c r="A1" t="s"><v>7</v></c></row>'),
                        f'<sst xmlns="{MAIN}"><si><t>x</t></si></sst>'),
     "Cell A1 refers to a shared text"),
    (lambda p: workbook(p.parent, sheet('<row r="1"><c r="A1" t="s"><v>²</v></c></row>'),
                        f'<sst xmlns="{MAIN}"><si><t>x</t></si></sst>'),
     "Cell A1 refers to a shared text"),
    (lambda p: workbook(p.parent, sheet('<row r="1"><c r="A1"><v>1</v></row>')),
     "not well-formed XML"),
    (lambda p: workbook(p.parent, sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&bomb;'
                                        "</t></is></c></row>")),
     "undefined entity"),
    (lambda p: workbook(p.parent, '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' + sheet("")),
     "document type declaration"),
    (lambda p: workbook(p.parent, sheet(""), workbook_xml=f'<workbook xmlns="{MAIN}"/>'),
     "has no sheet"),
    (lambda p: workbook(p.parent, sheet('<row r="1"><c r="A1"><v>1e5x</v></c></row>')),
     "should hold a number"),
    (lambda p: workbook(p.parent, sheet('<row r="1"><c r="A1"><v>٣</v></c></row>')),
     "should hold a number"),
    (lambda p: workbook(p.parent, sheet('<row r="9999999"><c><v>1</v></c></row>')),
     "beyond the last row"),
], ids=["not-zip", "string-index", "string-index-unicode-digit", "malformed-xml",
        "undefined-entity", "dtd", "no-sheet", "bad-number", "arabic-digit", "row-beyond"])
def test_read_rows_refuses_a_broken_workbook_naming_the_problem(tmp_path, build, fragment):
    path = build(tmp_path / "book.xlsx")

    assert fragment in refusal(path)


def test_read_rows_refuses_corrupt_deflate_data(tmp_path):
    path = workbook(tmp_path, sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>'
                                    + "x" * 5000 + "</t></is></c></row>"))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10:start + 40] = b"\xff" * 30  # inside the deflated stream
    path.write_bytes(bytes(data))

    assert "could not be read" in refusal(path)


def test_read_rows_stops_a_part_that_inflates_past_the_bound(tmp_path):
    padding = "<row/>" * 200_000  # 1.2 MB of XML, a few KB compressed
    path = workbook(tmp_path, sheet(padding))

    assert "larger than 1 MB once unpacked" in refusal(path, Limits(part_bytes=1024 * 1024))


def test_read_rows_states_the_row_limit(tmp_path):
    rows = "".join(f'<row r="{n}"><c t="inlineStr"><is><t>r{n}</t></is></c></row>'
                   for n in range(1, 13))

    message = refusal(workbook(tmp_path, sheet(rows)), Limits(rows=10))

    assert message == "The file has more than 10 entries; import at most 10 at a time."


def test_read_rows_bounds_columns_and_cell_text(tmp_path):
    wide = workbook(tmp_path, sheet('<row r="2"><c r="XFD2"><v>1</v></c></row>'))
    assert "Row 2 has cells beyond column 100" in refusal(wide)

    long_cell = f'<row r="1"><c r="C1" t="inlineStr"><is><t>{"长" * 40}</t></is></c></row>'
    assert refusal(workbook(tmp_path, sheet(long_cell)), Limits(cell_chars=30)) == (
        "Cell C1 holds more than 30 characters.")


def test_read_rows_refuses_a_date_serial_beyond_the_calendar(tmp_path):
    styles = (f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/>'
              '<xf numFmtId="14"/></cellXfs></styleSheet>')
    path = workbook(tmp_path, sheet('<row r="1"><c r="A1" s="1"><v>1e300</v></c></row>'),
                    xl__styles_xml=styles.encode())
    rels = RELS.replace("</Relationships>",
                        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/'
                        'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
                        "</Relationships>")
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(rebuilt, "w") as new:
        for item in old.infolist():
            name = item.filename.replace("styles_xml", "styles.xml")
            data = rels.encode() if name.endswith(".rels") else old.read(item)
            new.writestr(name, data)
    path.write_bytes(rebuilt.getvalue())

    assert "holds a date Excel cannot show" in refusal(path)
