"""Exports in English use the English names (the Chinese where none is set); the awards
table carries each award's English wording and the track's English name in both
languages, as the certificates print them."""

import csv
import io

import openpyxl
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import Tier
from contest.models import Entry
from tests import factories
from tests.certificates_setup import award
from tests.factories import World


def csv_dicts(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def arrange(db: Session, world: World) -> None:
    world.contest.name_en = "Tianjiao Bay Cup"
    world.startup.name_en = "Startup track"  # the creative track has no English name
    db.add_all([world.contest, world.startup])
    p = world.preliminary
    first = factories.entry(db, world.contest, world.startup, title="项目甲", rounds=(p,))
    second = factories.entry(db, world.contest, world.creative, title="项目乙", rounds=(p,))
    third = factories.entry(db, world.contest, world.startup, title="项目丙", rounds=(p,))
    item, _c = award(db, world.contest, first, Tier.gold, custom_name="最佳项目奖")
    item.custom_name_en = "Best Project Award"
    award(db, world.contest, second, Tier.silver)
    award(db, world.contest, third, Tier.bronze, rank=2, custom_name="潜力奖")
    db.commit()


def test_awards_export_in_english_and_chinese(client, db, world) -> None:
    arrange(db, world)
    headers = factories.bearer(client, world.organiser)
    url = f"/api/v1/contests/{world.contest.id}/awards.csv"

    chinese = client.get(url, headers={**headers, "Accept-Language": "zh"})
    english = client.get(url, headers={**headers, "Accept-Language": "en"})

    zh = {row["项目名称"]: row for row in csv_dicts(chinese.content)}
    en = {row["Project title"]: row for row in csv_dicts(english.content)}
    assert [(zh[t]["组别"], zh[t]["奖项名称"], zh[t]["奖项（英文）"], zh[t]["组别（英文）"])
            for t in ("项目甲", "项目乙", "项目丙")] == [
        ("创业组", "最佳项目奖", "Best Project Award", "Startup track"),
        ("创意组", "", "Silver Award", ""),
        ("创业组", "潜力奖", "", "Startup track"),  # no English given: none invented
    ]  # fmt: skip
    assert [(en[t]["Track"], en[t]["Award name"]) for t in ("项目甲", "项目乙", "项目丙")] == [
        ("Startup track", "Best Project Award"),
        ("创意组", ""),
        ("Startup track", "潜力奖"),
    ]
    assert "Tianjiao%20Bay%20Cup" in english.headers["content-disposition"]


def test_entries_export_in_english_names_tracks_in_english(client, db, world) -> None:
    arrange(db, world)
    headers = {**factories.bearer(client, world.organiser), "Accept-Language": "en"}

    response = client.get(f"/api/v1/contests/{world.contest.id}/entries.xlsx", headers=headers)

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    track = rows[0].index("Track")
    title = rows[0].index("Project title")
    assert {row[title]: row[track] for row in rows[1:]} == {
        "项目甲": "Startup track", "项目乙": "创意组", "项目丙": "Startup track",
    }  # fmt: skip


def test_import_reads_a_track_by_its_english_name(client, db, world) -> None:
    world.startup.name_en = "Startup track"
    db.add(world.startup)
    db.commit()
    buffer = io.StringIO()
    csv.writer(buffer).writerows([
        ["track_code", "title", "summary", "institution", "city", "leader_name",
         "leader_email", "company_name", "credit_code", "founded_on"],
        ["Startup track", "心电贴片", "可穿戴心电监测", "复旦大学", "上海", "王一",
         "wang1@example.com", "上海心联医疗科技有限公司", "91310000MA1FL4B24G", "2021-05-01"],
    ])  # fmt: skip

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/entries/import",
        files={"file": ("entries.csv", buffer.getvalue().encode(), "text/csv")},
        # The preliminary is open: entries added now are late and say why.
        data={"late_reason": "英文导出回读"},
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 200, response.text
    [entry] = db.scalars(select(Entry).where(Entry.title == "心电贴片")).all()
    assert entry.track_id == world.startup.id
