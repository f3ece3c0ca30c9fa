"""API: bulk import of entries from CSV and XLSX (all rows or none) and the CSV export."""

import csv
import io
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import EntryStatus
from contest.models import AuditRecord, Entry, EntryMember, RoundEntry
from tests import factories
from tests.app_client import TestClient
from tests.factories import World

HEADER = [
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
]
GOOD_ROWS = [
    [
        "startup",
        "心电贴片",
        "可穿戴心电监测",
        "医疗器械",
        "复旦大学",
        "上海",
        "王一",
        "wang1@example.com",
        "13800138001",
        "李雷;韩梅梅",
        "上海心联医疗科技有限公司",
        "91310000MA1FL4B24G",
        "2021-05-01",
    ],
    [
        "creative",
        "病理AI",
        "辅助阅片",
        "数字健康",
        "上海交通大学",
        "上海",
        "陈二",
        "",
        "021-12345678",
        "",
        "",
        "",
        "",
    ],
    [
        "creative",
        "新型疫苗佐剂",
        "佐剂平台",
        "创新药",
        "浙江大学",
        "杭州",
        "赵三",
        "zhao3@example.com",
        "",
        "钱四；孙五",
        "",
        "",
        "",
    ],
]


@pytest.fixture(autouse=True)
def english(client: TestClient) -> None:
    """Messages are checked in English; Chinese is the default."""
    client.headers["Accept-Language"] = "en"


def csv_bytes(
    rows: list[list[str]], *, header: list[str] = HEADER, bom: bool = True, encoding: str = "utf-8"
) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    return text.encode(encoding)


def xlsx_bytes(rows: list[list[Any]], *, header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def post_import(
    client: TestClient,
    contest_id: int,
    headers: dict[str, str],
    data: bytes,
    filename: str = "entries.csv",
) -> Any:
    return client.post(
        f"/api/v1/contests/{contest_id}/entries/import",
        files={"file": (filename, data, "application/octet-stream")},
        headers=headers,
    )


def _titles(db: Session) -> list[str]:
    return list(db.scalars(select(Entry.title).order_by(Entry.id)))


@pytest.mark.parametrize("bom", [True, False])
def test_import_csv_adds_every_row_with_members_and_first_round(
    client: TestClient, db: Session, world: World, bom: bool
) -> None:
    headers = factories.bearer(client, world.organiser)

    response = post_import(client, world.contest.id, headers, csv_bytes(GOOD_ROWS, bom=bom))

    assert response.status_code == 200, response.text
    assert response.json() == {"imported": 3}
    assert _titles(db) == ["心电贴片", "病理AI", "新型疫苗佐剂"]
    first = db.scalars(select(Entry).where(Entry.title == "心电贴片")).one()
    assert (first.track_id, first.credit_code, first.owner_id) == (
        world.startup.id,
        "91310000MA1FL4B24G",
        None,
    )
    assert first.founded_on == date(2021, 5, 1)
    members = db.execute(
        select(Entry.title, EntryMember.name)
        .join(EntryMember, EntryMember.entry_id == Entry.id)
        .order_by(Entry.id, EntryMember.position)
    ).all()
    assert [tuple(m) for m in members] == [
        ("心电贴片", "李雷"),
        ("心电贴片", "韩梅梅"),
        ("新型疫苗佐剂", "钱四"),
        ("新型疫苗佐剂", "孙五"),
    ]
    links = db.scalars(select(RoundEntry)).all()
    assert {(r.round_id, r.status) for r in links} == {(world.preliminary.id, EntryStatus.in_)}
    assert len(links) == 3
    log = db.scalars(select(AuditRecord).where(AuditRecord.action == "entry.import")).one()
    assert (log.after["imported"], log.after["file"]) == (3, "entries.csv")


def test_import_xlsx_reads_dates_and_numbers(client: TestClient, db: Session, world: World) -> None:
    rows: list[list[Any]] = [list(r) for r in GOOD_ROWS]
    rows[0][12] = date(2021, 5, 1)
    rows[0][8] = 13800138001  # a phone typed into a number cell
    data = xlsx_bytes(rows + [[None] * len(HEADER)])  # trailing blank rows are ignored

    response = post_import(
        client,
        world.contest.id,
        factories.bearer(client, world.organiser),
        data,
        filename="报名表.xlsx",
    )

    assert response.json() == {"imported": 3}
    first = db.scalars(select(Entry).where(Entry.title == "心电贴片")).one()
    assert (first.founded_on, first.leader_phone) == (date(2021, 5, 1), "+8613800138001")


def test_import_chinese_headers_and_gbk_csv_from_excel(
    client: TestClient, db: Session, world: World
) -> None:
    header = [
        "组别",
        "项目名称",
        "项目简介",
        "领域",
        "单位",
        "城市",
        "负责人",
        "邮箱",
        "手机",
        "团队成员",
        "公司名称",
        "统一社会信用代码",
        "成立日期",
    ]
    rows = [list(r) for r in GOOD_ROWS[1:]]
    rows[0][0] = "创意组"  # the track's name works as well as its code
    data = csv_bytes(rows, header=header, bom=False, encoding="gbk")

    response = post_import(
        client, world.contest.id, factories.bearer(client, world.organiser), data
    )

    assert response.json() == {"imported": 2}
    assert _titles(db) == ["病理AI", "新型疫苗佐剂"]


def test_import_mixed_file_imports_nothing_and_lists_every_bad_row(
    client: TestClient, db: Session, world: World
) -> None:
    factories.entry(db, world.contest, world.creative, title="已有项目")
    db.commit()
    good = GOOD_ROWS
    bad_code = [good[0][0], "心电贴片二代", *good[0][2:11], "91310000MA1FL4B24H", "2021-05-01"]
    creative_company = [*good[1][:10], "某公司", "", ""]
    no_title = [good[1][0], "", *good[1][2:]]
    same_as_line_2 = [good[0][0], " 心电 贴片 ", *good[0][2:]]
    existing = [good[1][0], "已有项目", *good[1][2:]]
    unknown_track = ["sports", "运动项目", *good[1][2:]]
    bad_date_and_phone = [*good[0][:8], "12345", *good[0][9:12], "2021/13/45"]
    rows = [
        good[0],
        bad_code,
        creative_company,
        no_title,
        same_as_line_2,
        existing,
        unknown_track,
        good[2],
        bad_date_and_phone,
    ]

    response = post_import(
        client, world.contest.id, factories.bearer(client, world.organiser), csv_bytes(rows)
    )

    assert response.status_code == 422
    problems = [tuple(e["loc"][1:]) for e in response.json()["detail"]]
    assert problems == [
        ("rows", 3, "credit_code"),
        ("rows", 4, "company_name"),
        ("rows", 5, "title"),
        ("rows", 6, "title"),
        ("rows", 7, "title"),
        ("rows", 8, "track_code"),
        ("rows", 10, "founded_on"),
        ("rows", 10, "leader_phone"),
        ("rows", 10, "title"),
    ]
    messages = {tuple(e["loc"][1:]): e["msg"] for e in response.json()["detail"]}
    assert "line 2" in messages[("rows", 6, "title")]
    assert _titles(db) == ["已有项目"]
    assert db.scalars(select(AuditRecord)).all() == []


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (csv_bytes(GOOD_ROWS, header=[*HEADER[:-1], "founded"]), "Unknown column"),
        (csv_bytes(GOOD_ROWS, header=["title", *HEADER[1:]]), "appears twice"),
        (csv_bytes([], header=["title"]), "Missing column"),
        (csv_bytes([]), "no entries"),
        (b"", "empty"),
        (b"PK\x03\x04not really a zip file", "could not be read"),
    ],
)
def test_import_bad_file_is_refused_as_a_whole(
    client: TestClient, db: Session, world: World, data: bytes, fragment: str
) -> None:
    response = post_import(
        client, world.contest.id, factories.bearer(client, world.organiser), data
    )

    assert response.status_code == 422
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {("body", "file")}
    assert any(fragment in e["msg"] for e in response.json()["detail"])
    assert _titles(db) == []


@pytest.mark.parametrize(
    ("who", "expected"),
    [("team", 403), ("judge", 403), ("other_organiser", 404), ("anonymous", 401)],
)
def test_import_by_anyone_but_the_organiser_is_refused(
    client: TestClient, db: Session, world: World, who: str, expected: int
) -> None:
    people = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    headers = factories.bearer(client, people[who]) if who in people else {}

    response = post_import(client, world.contest.id, headers, csv_bytes(GOOD_ROWS))

    assert response.status_code == expected
    assert _titles(db) == []


def test_export_csv_has_bom_header_and_one_row_per_entry(
    client: TestClient, db: Session, world: World
) -> None:
    first = factories.entry(
        db,
        world.contest,
        world.startup,
        title='=HYPERLINK("x")',
        company_name="某公司",
        credit_code="91310000MA1FL4B24G",
        rounds=(world.preliminary,),
    )
    factories.entry(
        db, world.contest, world.creative, title="第二个", members=(), withdrawn_at=first.created_at
    )
    factories.entry(db, world.other_contest, factories.track(db, world.other_contest, "x"))
    db.commit()

    response = client.get(
        f"/api/v1/contests/{world.contest.id}/entries.csv",
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == ['\'=HYPERLINK("x")', "第二个"]
    assert (rows[0]["track_code"], rows[0]["members"], rows[0]["status"]) == (
        "startup",
        "张三;李四",
        "in",
    )
    assert (rows[1]["status"], rows[1]["business_plan"]) == ("withdrawn", "no")


def test_export_then_import_round_trips(client: TestClient, db: Session, world: World) -> None:
    headers = factories.bearer(client, world.organiser)
    post_import(client, world.contest.id, headers, csv_bytes(GOOD_ROWS))
    exported = client.get(f"/api/v1/contests/{world.contest.id}/entries.csv", headers=headers)
    copy = factories.contest(db, world.organiser, name="复制的大赛")
    factories.track(db, copy, "startup", requires_company=True)
    factories.track(db, copy, "creative")
    db.commit()

    response = post_import(client, copy.id, headers, exported.content)

    assert response.json() == {"imported": 3}


@pytest.mark.parametrize("language", ["zh", "en"])
def test_xlsx_export_then_import_round_trips(
    client: TestClient, db: Session, world: World, language: str
) -> None:
    """entries.xlsx (headers in either language, track names, cells without references)
    is accepted by the import as it is."""
    client.cookies.set("tj_lang", language)
    headers = factories.bearer(client, world.organiser)
    post_import(client, world.contest.id, headers, csv_bytes(GOOD_ROWS))
    exported = client.get(f"/api/v1/contests/{world.contest.id}/entries.xlsx", headers=headers)
    copy = factories.contest(db, world.organiser, name="复制的大赛")
    factories.track(db, copy, "s", requires_company=True, name=world.startup.name)
    factories.track(db, copy, "c", name=world.creative.name)
    db.commit()

    response = post_import(client, copy.id, headers, exported.content, "entries.xlsx")

    assert load_workbook(io.BytesIO(exported.content)).active["C1"].value == (
        "项目名称" if language == "zh" else "Project title"
    )
    assert response.json() == {"imported": 3}
    copied = db.scalars(select(Entry.title).where(Entry.contest_id == copy.id).order_by(Entry.id))
    assert list(copied) == _titles(db)[:3]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("team", 403), ("judge", 403), ("other_organiser", 404), ("anonymous", 401)],
)
def test_export_csv_by_role(
    client: TestClient, db: Session, world: World, who: str, expected: int
) -> None:
    people = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    headers = factories.bearer(client, people[who]) if who in people else {}

    response = client.get(f"/api/v1/contests/{world.contest.id}/entries.csv", headers=headers)

    assert response.status_code == expected
