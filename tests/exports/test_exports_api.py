"""Exports through the API: CSV (UTF-8 with BOM) and XLSX, headers, values, permissions."""

import csv
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlmodel import Session

from contest.core.db import Database
from contest.core.enums import Tier
from contest.exports import parallel as exports_parallel
from contest.exports import tables as exports_tables
from contest.kit.tables import write_xlsx
from contest.models import utcnow
from tests import factories
from tests.app_client import TestClient
from tests.certificates_setup import award
from tests.factories import World

SHEET_HEADERS = [
    "项目编号",
    "项目名称",
    "组别",
    "评委",
    "评委单位",
    "技术与创新（满分30.0）",
    "市场与商业模式（满分25.0）",
    "团队（满分20.0）",
    "进展与可行性（满分15.0）",
    "社会与临床价值（满分10.0）",
    "合计",
    "评分状态",
    "评语",
    "给组委会的备注",
    "提交时间",
    "最后保存时间",
]
RESULT_HEADERS = [
    "组别",
    "排名",
    "项目编号",
    "项目名称",
    "单位",
    "综合得分",
    "本赛段得分",
    "评委人数",
    "并列",
    "状态",
]


@pytest.fixture
def scored(db: Session, world: World) -> dict[str, object]:
    """Preliminary: 项目甲 scored by three judges (mean 80.666…), =SUM(1) by one (plus a
    draft), 创意项目 by one; 项目甲 has a published gold award."""
    p = world.preliminary
    first = factories.entry(db, world.contest, world.startup, title="项目甲", rounds=(p,))
    second = factories.entry(db, world.contest, world.startup, title="=SUM(1)", rounds=(p,))
    third = factories.entry(db, world.contest, world.creative, title="创意项目", rounds=(p,))
    j0, j1, j2 = world.judges
    for judge, entry in ((j0, first), (j1, first), (j2, first), (j0, second), (j1, second)):
        factories.assign(db, p, judge, entry)
    factories.assign(db, p, j0, third)
    factories.sheet(db, p, j0, first, [255, 200, 170, 120, 80], comment="很好，建议加强临床验证")
    factories.sheet(db, p, j1, first, [250, 200, 160, 110, 80])
    factories.sheet(db, p, j2, first, [240, 200, 160, 115, 80])
    factories.sheet(db, p, j0, second, [200, 200, 150, 100, 50])
    factories.sheet(db, p, j1, second, [100, 100], submitted=False)
    factories.sheet(db, p, j0, third, [300, 250, 200, 150, 100])
    _item, certificate = award(db, world.contest, first, Tier.gold)
    db.commit()
    return {"first": first, "second": second, "third": third, "certificate": certificate}


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes, sheet: int | str = 0) -> tuple[list[list[object]], list[list[str]]]:
    """Values and number formats of a sheet's rows."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    ws = book.worksheets[sheet] if isinstance(sheet, int) else book[sheet]
    rows = list(ws.iter_rows())
    return [[c.value for c in r] for r in rows], [[c.number_format for c in r] for r in rows]


def filename_of(response) -> str:  # type: ignore[no-untyped-def]
    header = response.headers["content-disposition"]
    return unquote(re.search(r"filename\*=UTF-8''(.+)$", header).group(1))  # type: ignore[union-attr]


def test_results_csv_ranks_per_track_with_two_decimals(
    client: TestClient, world: World, scored: dict[str, object]
) -> None:
    response = client.get(
        f"/api/v1/rounds/{world.preliminary.id}/results.csv",
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert filename_of(response) == f"{world.contest.name}-preliminary成绩.csv"
    rows = csv_rows(response.content)
    first, second, third = (scored[k].id for k in ("first", "second", "third"))  # type: ignore[attr-defined]
    assert rows == [
        RESULT_HEADERS,
        ["创业组", "1", str(first), "项目甲", "复旦大学", "80.67", "80.67", "3", "", "参赛中"],
        ["创业组", "2", str(second), "'=SUM(1)", "复旦大学", "70.00", "70.00", "1", "", "参赛中"],
        ["创意组", "1", str(third), "创意项目", "复旦大学", "100.00", "100.00", "1", "", "参赛中"],
    ]


def test_results_of_the_closed_last_round_say_completed_not_in_the_round(
    client: TestClient, db: Session, world: World
) -> None:
    final = world.final
    entry = factories.entry(db, world.contest, world.startup, title="决赛项目", rounds=(final,))
    factories.assign(db, final, world.judges[0], entry)
    factories.sheet(db, final, world.judges[0], entry, [255, 200, 170, 120, 80])
    db.commit()
    url = f"/api/v1/rounds/{final.id}/results.csv"
    headers = factories.bearer(client, world.organiser)

    during = csv_rows(client.get(url, headers=headers).content)
    final.closes_at = utcnow() - timedelta(minutes=1)  # as finishing the live final does
    db.add(final)
    db.commit()
    after = csv_rows(client.get(url, headers=headers).content)

    assert during[1][-1] == "参赛中"
    assert after[1][-1] == "已完赛"


def test_results_csv_one_track(client: TestClient, world: World, scored: dict[str, object]) -> None:
    response = client.get(
        f"/api/v1/rounds/{world.preliminary.id}/results.csv?track_code=creative",
        headers=factories.bearer(client, world.organiser),
    )

    assert [row[3] for row in csv_rows(response.content)[1:]] == ["创意项目"]


def test_results_csv_unknown_track_is_invalid(
    client: TestClient, world: World, scored: dict[str, object]
) -> None:
    response = client.get(
        f"/api/v1/rounds/{world.preliminary.id}/results.csv?track_code=nope",
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "track_code"]


def test_results_xlsx_scores_are_numbers_with_two_decimals(
    client: TestClient, world: World, scored: dict[str, object]
) -> None:
    response = client.get(
        f"/api/v1/rounds/{world.preliminary.id}/results.xlsx",
        headers=factories.bearer(client, world.organiser),
    )

    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    values, formats = xlsx_rows(response.content)
    assert values[0] == RESULT_HEADERS
    assert values[1][:9] == [
        "创业组",
        1,
        scored["first"].id,
        "项目甲",
        "复旦大学",
        80.67,
        80.67,
        3,
        None,
    ]  # type: ignore[attr-defined]
    assert values[2][3] == "=SUM(1)"  # an inline string in XLSX: never run as a formula
    assert formats[1][5:7] == ["0.00", "0.00"]


def test_sheets_csv_has_every_criterion_state_and_comment(
    client: TestClient, world: World, scored: dict[str, object]
) -> None:
    response = client.get(
        f"/api/v1/rounds/{world.preliminary.id}/sheets.csv",
        headers=factories.bearer(client, world.organiser),
    )

    rows = csv_rows(response.content)
    assert rows[0] == SHEET_HEADERS
    first, second = scored["first"].id, scored["second"].id  # type: ignore[attr-defined]
    assert [r[:13] for r in rows[1:4]] == [
        [str(first), "项目甲", "创业组", "评委1", "机构1", "25.50", "20.00", "17.00", "12.00",
         "8.00", "82.50", "已提交", "很好，建议加强临床验证"],
        [str(first), "项目甲", "创业组", "评委2", "机构2", "25.00", "20.00", "16.00", "11.00",
         "8.00", "80.00", "已提交", ""],
        [str(first), "项目甲", "创业组", "评委3", "机构3", "24.00", "20.00", "16.00", "11.50",
         "8.00", "79.50", "已提交", ""],
    ]  # fmt: skip
    draft = rows[5]
    assert draft[:13] == [str(second), "'=SUM(1)", "创业组", "评委2", "机构2", "10.00", "10.00",
                          "", "", "", "20.00", "草稿", ""]  # fmt: skip
    assert draft[13] == ""  # no note to the committee
    assert draft[14] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", rows[1][14])
    assert len(rows) == 7


def test_sheets_xlsx_matches_csv(
    client: TestClient, world: World, scored: dict[str, object]
) -> None:
    response = client.get(
        f"/api/v1/rounds/{world.preliminary.id}/sheets.xlsx",
        headers=factories.bearer(client, world.organiser),
    )

    values, formats = xlsx_rows(response.content)
    assert values[0] == SHEET_HEADERS
    assert values[1][5:12] == [25.5, 20, 17, 12, 8, 82.5, "已提交"]
    assert formats[1][5] == "0.00"
    assert formats[1][14] == "yyyy-mm-dd hh:mm"
    assert len(values) == 7


def test_assignments_csv_lists_every_pair_with_sheet_state(
    client: TestClient, world: World, scored: dict[str, object]
) -> None:
    response = client.get(
        f"/api/v1/rounds/{world.preliminary.id}/assignments.csv",
        headers=factories.bearer(client, world.organiser),
    )

    rows = csv_rows(response.content)
    assert rows[0] == [
        "评委",
        "评委单位",
        "项目编号",
        "项目名称",
        "组别",
        "分配方式",
        "分配时间",
        "评分状态",
    ]
    assert [(r[0], r[3], r[5], r[7]) for r in rows[1:]] == [  # entry by entry
        ("评委1", "项目甲", "手动分配", "已提交"),
        ("评委2", "项目甲", "手动分配", "已提交"),
        ("评委3", "项目甲", "手动分配", "已提交"),
        ("评委1", "'=SUM(1)", "手动分配", "已提交"),
        ("评委2", "'=SUM(1)", "手动分配", "草稿"),
        ("评委1", "创意项目", "手动分配", "已提交"),
    ]


def test_awards_csv_lists_award_and_certificate(
    client: TestClient, world: World, scored: dict[str, object]
) -> None:
    response = client.get(
        f"/api/v1/contests/{world.contest.id}/awards.csv",
        headers=factories.bearer(client, world.organiser),
    )

    rows = csv_rows(response.content)
    code = scored["certificate"].code  # type: ignore[attr-defined]
    first = str(scored["first"].id)  # type: ignore[attr-defined]
    assert rows[0][:13] == ["组别", "奖项", "奖项名称", "排名", "项目编号", "项目名称",
                            "单位", "负责人", "团队成员", "已公布", "证书编号", "颁发日期",
                            "证书状态"]  # fmt: skip
    assert rows[1][:13] == ["创业组", "金奖", "", "1", first, "项目甲", "复旦大学", "王五",
                            "张三;李四", "是", code, "2023-11-23", "有效"]  # fmt: skip


def test_entries_xlsx_has_chinese_headers_and_text(
    client: TestClient, world: World, scored: dict[str, object]
) -> None:
    response = client.get(
        f"/api/v1/contests/{world.contest.id}/entries.xlsx",
        headers=factories.bearer(client, world.organiser),
    )

    values, formats = xlsx_rows(response.content)
    assert values[0][:4] == ["项目编号", "组别", "项目名称", "项目简介"]
    assert [row[2] for row in values[1:]] == ["项目甲", "=SUM(1)", "创意项目"]
    assert values[1][10] == "张三;李四"
    assert formats[1][17] == "yyyy-mm-dd hh:mm"


def test_exports_follow_the_english_locale(
    client: TestClient, world: World, scored: dict[str, object]
) -> None:
    client.cookies.set("tj_lang", "en")

    response = client.get(
        f"/api/v1/rounds/{world.preliminary.id}/results.csv",
        headers=factories.bearer(client, world.organiser),
    )

    rows = csv_rows(response.content)
    assert rows[0][:6] == [
        "Track",
        "Rank",
        "Entry ID",
        "Project title",
        "Institution",
        "Combined score",
    ]
    assert rows[1][0] == "创业组"  # data stays as entered
    assert rows[1][-1] == "In the round"


def test_contest_workbook_has_a_sheet_per_table(
    client: TestClient, world: World, scored: dict[str, object]
) -> None:
    response = client.get(
        f"/api/v1/contests/{world.contest.id}/export.xlsx",
        headers=factories.bearer(client, world.organiser),
    )

    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "参赛项目",
        "preliminary评审分配", "preliminary评分表", "preliminary成绩",
        "semifinal评审分配", "semifinal评分表", "semifinal成绩",
        "final评审分配", "final评分表", "final成绩",
        "奖项",
    ]  # fmt: skip
    assert book["preliminary成绩"].max_row == 4
    assert book["semifinal成绩"].max_row == 1
    assert book["参赛项目"]["C2"].value == "项目甲"
    assert filename_of(response) == f"{world.contest.name}-完整数据.xlsx"


ROUTES = [
    "/api/v1/rounds/{round}/results.csv",
    "/api/v1/rounds/{round}/results.xlsx",
    "/api/v1/rounds/{round}/sheets.csv",
    "/api/v1/rounds/{round}/sheets.xlsx",
    "/api/v1/rounds/{round}/assignments.csv",
    "/api/v1/rounds/{round}/assignments.xlsx",
    "/api/v1/contests/{contest}/awards.csv",
    "/api/v1/contests/{contest}/awards.xlsx",
    "/api/v1/contests/{contest}/entries.xlsx",
    "/api/v1/contests/{contest}/export.xlsx",
]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("organiser", 200),
        ("team", 403),
        ("judge", 403),
        ("other_organiser", 404),
        ("anonymous", 401),
    ],
)
def test_exports_by_role(
    client: TestClient, world: World, route: str, who: str, expected: int
) -> None:
    people = {
        "organiser": world.organiser,
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    headers = factories.bearer(client, people[who]) if who in people else {}
    url = route.format(round=world.preliminary.id, contest=world.contest.id)

    response = client.get(url, headers=headers)

    assert response.status_code == expected


def test_revoked_certificate_shows_in_awards_export(
    client: TestClient, db: Session, world: World, scored: dict[str, object]
) -> None:
    certificate = scored["certificate"]
    certificate.revoked_at = utcnow()  # type: ignore[attr-defined]
    db.add(certificate)
    db.commit()

    response = client.get(
        f"/api/v1/contests/{world.contest.id}/awards.csv",
        headers=factories.bearer(client, world.organiser),
    )

    assert csv_rows(response.content)[1][12] == "已撤销"


def sheet_values(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


@pytest.mark.parametrize("in_process", [False, True], ids=["worker processes", "in process"])
def test_contest_workbook_in_slices_equals_the_one_written_in_one_go(
    db: Session,
    database: Database,
    world: World,
    scored: dict[str, object],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    in_process: bool,
) -> None:
    """Every entry a slice of its own (3 entries, 4 slices wanted), written by the worker
    processes or here: the same cells as the one-process writer, sheet for sheet."""
    monkeypatch.setattr(exports_parallel, "SLICES_PER_WORKER", 4)
    monkeypatch.setattr(exports_parallel, "PARALLEL_FROM", 0)
    pools_used, pool = [], exports_parallel._pool
    monkeypatch.setattr(exports_parallel, "_pool", lambda: pools_used.append(1) or pool())
    monkeypatch.setattr(exports_parallel, "workers", lambda: 1 if in_process else 2)
    zone, out = ZoneInfo("Asia/Shanghai"), tmp_path / "out"
    out.mkdir()
    sliced = exports_parallel.write_contest_workbook(database, world.contest, zone, out)
    whole = write_xlsx(db, exports_tables.contest_tables(db, world.contest), zone, out)

    assert bool(pools_used) is not in_process
    with zipfile.ZipFile(sliced) as archive:
        assert archive.testzip() is None  # every member's CRC-32 holds
    assert sheet_values(sliced) == sheet_values(whole)
    sheets = sheet_values(sliced)
    assert [row[3] for row in sheets["preliminary评分表"][1:]] == [
        "评委1", "评委2", "评委3", "评委1", "评委2", "评委1",
    ]  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == sorted([sliced.name, whole.name])


def test_contest_workbook_that_fails_leaves_no_file(
    database: Database, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(exports_parallel, "workers", lambda: 1)
    monkeypatch.setattr(exports_parallel, "write_part", broken)
    out = tmp_path / "out"
    out.mkdir()

    with pytest.raises(OSError, match="disk full"):
        exports_parallel.write_contest_workbook(
            database, world.contest, ZoneInfo("Asia/Shanghai"), out
        )
    assert list(out.iterdir()) == []
