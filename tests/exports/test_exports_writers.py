"""The export writers alone: CSV cells and the streaming XLSX writer (read back by openpyxl)."""

import csv
import io
import zipfile
import zlib
from datetime import UTC, date, datetime
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.kit.tables import (
    Column,
    Table,
    content_disposition,
    csv_rows,
    csv_stream,
    safe_cell,
    safe_filename,
    stream_and_delete,
)
from contest.kit.xlsx import MAX_CELL_TEXT, XlsxWriter, column_letter, sheet_name, write_part
from contest.kit.zip_parts import crc32_combine

SHANGHAI = ZoneInfo("Asia/Shanghai")
COLUMNS = (
    Column("名称"),
    Column("得分", "score"),
    Column("评分项", "tenths"),
    Column("人数", "int"),
    Column("提交时间", "datetime"),
    Column("日期", "date"),
)
ROW = (
    "项目甲",
    Fraction(2383, 30),
    275,
    5,
    datetime(2023, 11, 23, 2, 30, tzinfo=UTC),
    date(2023, 11, 23),
)


def table(rows: list[tuple[object, ...]]) -> Table:
    return Table("表", "file", COLUMNS, lambda _db: iter(rows))


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("-5", "'-5"), ("@x", "'@x"), ("正常", "正常")],
)
def test_safe_cell_quotes_formula_starts(value: str, expected: str) -> None:
    assert safe_cell(value) == expected


def test_csv_rows_format_each_kind() -> None:
    rows = list(csv_rows(table([]), [ROW, ("=cmd", None, None, None, None, None)], SHANGHAI))

    assert rows == [
        ["项目甲", "79.43", "27.50", 5, "2023-11-23 10:30:00", "2023-11-23"],
        ["'=cmd", None, None, None, None, None],
    ]


@pytest.mark.parametrize(
    ("score", "shown"),
    [(Fraction(2675, 1000), "2.68"), (Fraction(1, 200), "0.01"), (2.675, "2.68"), (80, "80.00")],
)
def test_csv_scores_round_half_up(score: object, shown: str) -> None:
    [row] = csv_rows(table([]), [("x", score, None, None, None, None)], SHANGHAI)

    assert row[1] == shown


def test_csv_stream_has_bom_and_reads_back() -> None:
    body = b"".join(csv_stream(["名称", "备注"], [["项目甲", "含,逗号\n和换行"]] * 3, batch=2))

    assert body.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == [
        ["名称", "备注"],
        *[["项目甲", "含,逗号\n和换行"]] * 3,
    ]


def write(path: Path, rows: list[tuple[object, ...]]) -> int:
    with XlsxWriter(path, zone=SHANGHAI) as writer:
        return writer.add_sheet(
            "成绩", [c.label for c in COLUMNS], [c.kind for c in COLUMNS], rows, widths=[20] * 6
        )


def test_xlsx_values_types_and_formats(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"

    count = write(path, [ROW, ("空", None, None, None, None, None)])

    sheet = openpyxl.load_workbook(path)["成绩"]
    assert count == 2
    assert [c.value for c in sheet[1]] == [c.label for c in COLUMNS]
    assert [c.value for c in sheet[2]] == [
        "项目甲",
        79.43,
        27.5,
        5,
        datetime(2023, 11, 23, 10, 30),
        datetime(2023, 11, 23),
    ]
    assert [c.number_format for c in sheet[2]][1:] == [
        "0.00",
        "0.00",
        "General",
        "yyyy-mm-dd hh:mm",
        "yyyy-mm-dd",
    ]
    assert [c.value for c in sheet[3]] == ["空", None, None, None, None, None]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    assert sheet[1][0].font.b is True


def test_xlsx_text_is_escaped_cleaned_and_cut(tmp_path: Path) -> None:
    path = tmp_path / "b.xlsx"
    rows = [
        ("<b>&amp;</b> =SUM(A1)", None, None, None, None, None),
        ("控制\x00字符\x1b", None, None, None, None, None),
        (" 前后空格 ", None, None, None, None, None),
        ("长" * (MAX_CELL_TEXT + 10), None, None, None, None, None),
        ("两行\n文字", None, None, None, None, None),
    ]

    write(path, rows)

    values = [c.value for c in openpyxl.load_workbook(path)["成绩"]["A"]][1:]
    assert values[:3] == ["<b>&amp;</b> =SUM(A1)", "控制字符", " 前后空格 "]
    assert len(values[3]) == MAX_CELL_TEXT
    assert values[4] == "两行\n文字"


def test_xlsx_several_sheets_and_a_valid_package(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    with XlsxWriter(path) as writer:
        writer.add_sheet("初赛成绩", ["a"], ["text"], [("x",)])
        writer.add_sheet("初赛成绩", ["b"], ["int"], [(1,), (2,)])
        writer.add_sheet("a/b:c*d?[e]" + "长" * 40, ["c"], ["text"], [])

    book = openpyxl.load_workbook(path)
    names = zipfile.ZipFile(path).namelist()
    assert book.sheetnames == ["初赛成绩", "初赛成绩 (2)", "a-b-c-d--e-" + "长" * 20]
    assert book["初赛成绩 (2)"]["A3"].value == 2
    assert "[Content_Types].xml" in names
    assert "xl/styles.xml" in names


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_sheet_names_are_unique_case_insensitively() -> None:
    taken: set[str] = set()

    assert [sheet_name(n, taken) for n in ("Awards", "awards", "")] == [
        "Awards",
        "awards (2)",
        "Sheet",
    ]


def test_stream_and_delete_removes_the_file_at_once(tmp_path: Path) -> None:
    path = tmp_path / "d.bin"
    path.write_bytes(b"x" * 200_000)

    chunks = stream_and_delete(path)
    first = next(chunks)

    assert not path.exists()
    assert len(first) + sum(len(c) for c in chunks) == 200_000


def test_content_disposition_names_files_in_utf8() -> None:
    header = content_disposition("2023年大赛-成绩.csv")

    assert header == (
        'attachment; filename="2023___-__.csv"; '
        "filename*=UTF-8''2023%E5%B9%B4%E5%A4%A7%E8%B5%9B-%E6%88%90%E7%BB%A9.csv"
    )


def test_safe_filename_drops_path_and_forbidden_characters() -> None:
    assert safe_filename('../a/b\\c:d*"e"<f>|g?') == "-a-b-c-d--e--f--g-"
    assert safe_filename(" . ") == "export"


def test_xlsx_text_batches_with_odd_values_among_plain_ones(tmp_path: Path) -> None:
    # Batches of plain text take a shorter path; one odd value must still come out right.
    path = tmp_path / "d.xlsx"
    odd = {7: "a|b", 600: "| x", 900: "x |", 1200: "", 1300: None, 1500: " y", 1700: "a&b",
           1800: 42, 2100: "||"}  # fmt: skip
    rows = [(odd.get(i, f"项目{i}"), f"n{i}") for i in range(2500)]
    with XlsxWriter(path) as writer:
        writer.add_sheet("t", ["a", "b"], ["text", "text"], rows)

    sheet = openpyxl.load_workbook(path)["t"]
    expected = {1200: None, 1300: None, 1800: "42"}
    got = [(a.value, b.value) for a, b in sheet.iter_rows(min_row=2)]
    assert got == [(expected.get(i, a), b) for i, (a, b) in enumerate(rows)]


@pytest.mark.parametrize(
    ("zone", "moment", "shown"),
    [
        (
            "Europe/London",
            datetime(2023, 7, 1, 12, 0, 30, tzinfo=UTC),
            datetime(2023, 7, 1, 13, 0, 30),
        ),
        ("Europe/London", datetime(2023, 1, 1, 12, 0, tzinfo=UTC), datetime(2023, 1, 1, 12, 0)),
        ("America/New_York", datetime(2023, 3, 12, 7, 0, tzinfo=UTC), datetime(2023, 3, 12, 3, 0)),
        ("Asia/Shanghai", datetime(2023, 1, 1, 20, 0), datetime(2023, 1, 1, 20, 0)),  # naive: local
    ],
)
def test_xlsx_times_in_the_display_zone(
    tmp_path: Path, zone: str, moment: datetime, shown: datetime
) -> None:
    path = tmp_path / "e.xlsx"
    with XlsxWriter(path, zone=ZoneInfo(zone)) as writer:
        writer.add_sheet("t", ["at"], ["datetime"], [(moment,)])

    assert openpyxl.load_workbook(path)["t"]["A2"].value == shown


def test_xlsx_rows_of_the_wrong_length_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError), XlsxWriter(tmp_path / "f.xlsx") as writer:
        writer.add_sheet("t", ["a", "b"], ["text", "int"], [("x", 1), ("y",)])


def test_xlsx_and_csv_times_given_as_seconds_since_1970_across_a_dst_change(
    tmp_path: Path,
) -> None:
    """The big exports read times as whole seconds (exports_tables.epoch_seconds): New
    York moves its clocks at 07:00 UTC on 2023-03-12, one minute apart in one sheet."""
    new_york = ZoneInfo("America/New_York")
    before = int(datetime(2023, 3, 12, 6, 59, 30, tzinfo=UTC).timestamp())
    after = int(datetime(2023, 3, 12, 7, 0, 30, tzinfo=UTC).timestamp())
    path = tmp_path / "g.xlsx"
    with XlsxWriter(path, zone=new_york) as writer:
        writer.add_sheet("t", ["at"], ["datetime"], [(before,), (after,), (None,)])
    times = Table("t", "t", (Column("at", "datetime"),), lambda _db: iter([]))

    sheet = openpyxl.load_workbook(path)["t"]
    assert [sheet["A2"].value, sheet["A3"].value, sheet["A4"].value] == [
        datetime(2023, 3, 12, 1, 59, 30),
        datetime(2023, 3, 12, 3, 0, 30),
        None,
    ]
    assert list(csv_rows(times, [(before,), (after,)], new_york)) == [
        ["2023-03-12 01:59:30"],
        ["2023-03-12 03:00:30"],
    ]


@given(st.binary(max_size=5000), st.binary(max_size=5000))
def test_crc32_combine_is_the_crc_of_both_pieces(first: bytes, second: bytes) -> None:
    combined = crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second))

    assert combined == zlib.crc32(first + second)


def test_a_sheet_written_in_parts_reads_as_the_sheet_written_whole(tmp_path: Path) -> None:
    """Three pieces deflated apart (one empty) and joined without recompressing."""
    rows = [ROW, ("空", None, None, None, None, None), *[("第" + str(n), 1, 2, n, None, None)
                                                       for n in range(1200)]]  # fmt: skip
    kinds = [c.kind for c in COLUMNS]
    slices = [rows[:1], [], rows[1:]]
    parts = [
        write_part(tmp_path / f"{n}.part", kinds, part, SHANGHAI) for n, part in enumerate(slices)
    ]
    joined, whole = tmp_path / "joined.xlsx", tmp_path / "whole.xlsx"
    with XlsxWriter(joined, zone=SHANGHAI) as writer:
        count = writer.add_sheet_parts("成绩", [c.label for c in COLUMNS], parts, widths=[20] * 6)
    write(whole, rows)

    with zipfile.ZipFile(joined) as archive:
        assert archive.testzip() is None
    assert count == len(rows) == sum(part.rows for part in parts)
    read = [
        list(openpyxl.load_workbook(p)["成绩"].iter_rows(values_only=True)) for p in (joined, whole)
    ]
    assert read[0] == read[1]
    assert openpyxl.load_workbook(joined)["成绩"].auto_filter.ref == f"A1:F{len(rows) + 1}"
