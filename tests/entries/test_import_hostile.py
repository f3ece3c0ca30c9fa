"""Imports under attack: a workbook bomb, a flood of bad rows and broken files all answer a
small 422 naming the problem, and import nothing."""

import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from contest.models import Entry
from tests import factories
from tests.entries.test_import_api import HEADER, csv_bytes, post_import
from tests.kit.test_xlsx_read import RELS, WORKBOOK, sheet


@pytest.fixture(autouse=True)
def english(client) -> None:  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"


def entries(db) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(Entry))


def inline_row(number: int, values: list[str]) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f'<row r="{number}">{cells}</row>'


def test_import_of_a_dimension_bomb_reads_two_rows_and_names_the_real_line(
        client, db, world, tmp_path: Path):
    row = ["creative", "", "摘要", "", "复旦大学", "上海", "王一", "", "13800138001", "", "", "",
           ""]
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet(
            inline_row(1, HEADER) + inline_row(3002, row), dimension="A1:XFD3002"))

    response = post_import(client, world.contest.id, factories.bearer(client, world.organiser),
                           path.read_bytes(), "bomb.xlsx")

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "rows", 3002, "title"]]
    assert entries(db) == 0


def test_import_with_thousands_of_bad_rows_lists_200_and_counts_the_rest(client, db, world):
    bad = [["creative", "", "", "", "", "", "", "", "", "", "", "", ""]] * 300

    response = post_import(client, world.contest.id, factories.bearer(client, world.organiser),
                           csv_bytes(bad))

    detail = response.json()["detail"]
    assert response.status_code == 422
    assert len(detail) == 201
    assert detail[-1]["type"] == "too_many_errors"
    assert detail[-1]["msg"] == f"… and {300 * 6 - 200} more problems, not listed."
    assert len(response.content) < 40_000
    assert entries(db) == 0


def test_import_over_20000_rows_is_refused_stating_the_limit(client, db, world):
    rows = [["creative", f"项目{n}", "摘要", "", "复旦大学", "上海", "王一", "", "", "", "", "",
             ""] for n in range(20_001)]

    response = post_import(client, world.contest.id, factories.bearer(client, world.organiser),
                           csv_bytes(rows))

    assert response.status_code == 422
    assert response.json()["detail"] == [{
        "loc": ["body", "file"], "type": "invalid",
        "msg": "The file has more than 20,000 entries; import at most 20,000 at a time."}]
    assert entries(db) == 0


def test_import_of_a_workbook_with_an_undefined_entity_names_it(client, db, world, tmp_path):
    path = tmp_path / "entity.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet(inline_row(1, ["&xxe;"])))

    response = post_import(client, world.contest.id, factories.bearer(client, world.organiser),
                           path.read_bytes(), "entity.xlsx")

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "file"]
    assert "not well-formed XML (undefined entity, line 1)" in error["msg"]
