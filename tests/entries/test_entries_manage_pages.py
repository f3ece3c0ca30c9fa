"""Pages: the organiser's entries: list, filters, paging, detail, editing, import."""

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event, select
from sqlmodel import Session

from contest.core.enums import DocumentKind, EntryStatus
from contest.core.settings import Settings
from contest.models import AuditRecord, Document, Entry, utcnow
from tests import factories
from tests.app_client import TestClient
from tests.factories import World


def soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def organiser(client: TestClient, world: World) -> TestClient:
    factories.login(client, world.organiser)
    client.cookies.set("tj_lang", "en")
    return client


def listed_titles(response: Any) -> list[str]:
    return [a.get_text() for a in soup(response).select("table.entries-table td.title-cell a")]


@contextmanager
def count_queries(app: Any) -> Iterator[list[str]]:
    statements: list[str] = []
    engines = {app.state.database.engine, app.state.database.write_engine}

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def make_entry(db: Session, world: World, track: Any, title: str, **values: Any) -> Entry:
    """factories.entry, then the fields it fixes (city, field, leader) set as given."""
    rounds = values.pop("rounds", ())
    withdrawn_at = values.pop("withdrawn_at", None)
    item = factories.entry(
        db, world.contest, track, title=title, rounds=rounds, withdrawn_at=withdrawn_at
    )
    for name, value in values.items():
        setattr(item, name, value)
    db.add(item)
    db.flush()
    return item


@pytest.fixture
def sample(db: Session, world: World, settings: Settings) -> dict[str, Entry]:
    items = {
        "heart": make_entry(
            db,
            world,
            world.startup,
            "心电贴片",
            city="上海",
            institution="复旦大学",
            field="医疗器械",
            rounds=(world.preliminary,),
            company_name="上海心联",
            credit_code="91310000MA1FL4B24G",
        ),
        "lung": make_entry(
            db,
            world,
            world.creative,
            "肺结节AI",
            city="杭州",
            institution="浙江大学",
            field="数字健康",
            leader_name="赵六",
        ),
        "vaccine": make_entry(
            db,
            world,
            world.creative,
            "<b>疫苗</b>佐剂",
            city="上海",
            institution="上海交通大学",
            field="创新药",
            withdrawn_at=utcnow(),
        ),
    }
    factories.enrol(db, world.preliminary, items["lung"], EntryStatus.advanced)
    factories.document(db, items["heart"], settings)
    db.commit()
    return items


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["心电贴片", "肺结节AI", "<b>疫苗</b>佐剂"]),
        ({"track": "creative"}, ["肺结节AI", "<b>疫苗</b>佐剂"]),
        ({"city": "上海"}, ["心电贴片", "<b>疫苗</b>佐剂"]),
        ({"institution": "浙江大学"}, ["肺结节AI"]),
        ({"field": "创新药"}, ["<b>疫苗</b>佐剂"]),
        ({"status": "withdrawn"}, ["<b>疫苗</b>佐剂"]),
        ({"status": "advanced"}, ["肺结节AI"]),
        ({"status": "in"}, ["心电贴片"]),
        ({"plan": "present"}, ["心电贴片"]),
        ({"plan": "missing"}, ["肺结节AI", "<b>疫苗</b>佐剂"]),
        ({"q": "赵六"}, ["肺结节AI"]),
        ({"q": "91310000ma1fl4b24g"}, ["心电贴片"]),
        ({"q": "100%_"}, []),
        ({"city": "上海", "track": "startup"}, ["心电贴片"]),
    ],
)
def test_entries_list_filters_and_search(
    client: TestClient,
    world: World,
    sample: dict[str, Entry],
    query: dict[str, str],
    expected: list[str],
) -> None:
    response = organiser(client, world).get(
        f"/manage/contests/{world.contest.id}/entries", params=query
    )

    assert response.status_code == 200
    assert listed_titles(response) == expected


def test_entries_list_shows_status_plan_and_escapes_titles(
    client: TestClient, world: World, sample: dict[str, Entry]
) -> None:
    page = soup(organiser(client, world).get(f"/manage/contests/{world.contest.id}/entries"))

    rows = page.select("table.entries-table tbody tr")

    def column(label: str) -> list[str]:
        return [r.select_one(f'td[data-label="{label}"]').get_text(" ", strip=True) for r in rows]

    assert column("Status") == [
        "In the round preliminary",
        "Advanced preliminary",
        "Withdrawn",
    ]
    assert column("Business plan") == ["Uploaded", "Missing", "Missing"]
    assert page.select("table.entries-table b") == []
    filter_cities = [o.get_text() for o in page.select("select#city option")]
    assert filter_cities == ["All", "上海", "杭州"]


def test_entries_list_pages_through_many_entries(
    client: TestClient, db: Session, world: World
) -> None:
    for n in range(120):
        factories.entry(db, world.contest, world.creative, title=f"项目 {n:03d}", members=())
    db.commit()
    web = organiser(client, world)

    first = web.get(f"/manage/contests/{world.contest.id}/entries")
    third = web.get(f"/manage/contests/{world.contest.id}/entries?track=creative&page=3")

    assert len(listed_titles(first)) == 50
    assert listed_titles(third) == [f"项目 {n:03d}" for n in range(100, 120)]
    nav = soup(third).select_one("nav.pagination")
    assert nav.select_one('a[rel="prev"]')["href"] == "?track=creative&page=2"
    assert nav.select_one('a[rel="next"]') is None


def test_entries_list_query_count_does_not_grow_with_entries(
    client: TestClient, app: Any, db: Session, world: World, settings: Settings
) -> None:
    web = organiser(client, world)
    url = f"/manage/contests/{world.contest.id}/entries"

    def add(count: int) -> None:
        for _ in range(count):
            item = factories.entry(db, world.contest, world.startup, rounds=(world.preliminary,))
            factories.document(db, item, settings)
        db.commit()

    add(3)
    with count_queries(app) as few:
        web.get(url)
    add(30)
    with count_queries(app) as many:
        web.get(url)

    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("who", "expected"), [("team", 403), ("judge", 403), ("other_organiser", 404)]
)
def test_entries_pages_refused_to_others(
    client: TestClient, world: World, sample: dict[str, Entry], who: str, expected: int
) -> None:
    people = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    factories.login(client, people[who])
    entry_id = sample["heart"].id

    codes = [
        client.get(f"/manage/contests/{world.contest.id}/entries").status_code,
        client.get(f"/manage/contests/{world.contest.id}/entries/import").status_code,
        client.get(f"/manage/entries/{entry_id}").status_code,
        client.get(f"/manage/entries/{entry_id}/edit").status_code,
    ]

    assert codes == [expected] * 4


def test_entries_page_anonymous_is_sent_to_log_in(client: TestClient, world: World) -> None:
    response = client.get(f"/manage/contests/{world.contest.id}/entries", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_entry_detail_shows_documents_rounds_and_history(
    client: TestClient, db: Session, world: World, settings: Settings, sample: dict[str, Entry]
) -> None:
    entry = sample["heart"]
    old = db.scalars(select(Document).where(Document.entry_id == entry.id)).one()
    old.replaced_at = utcnow()
    new = factories.document(db, entry, settings, filename="第二版.pdf")
    factories.document(db, entry, settings, kind=DocumentKind.pitch_deck, filename="路演.pdf")
    db.add(old)
    db.commit()
    web = organiser(client, world)
    web.post(
        f"/manage/entries/{entry.id}/edit",
        data=factories.form(
            web,
            {
                **{k: v for k, v in _stored(entry).items()},
                "city": "苏州",
                "reason": "来函更正",
            },
        ),
    )

    page = soup(web.get(f"/manage/entries/{entry.id}"))

    docs = [li.select_one(".doc-main a").get_text() for li in page.select(".doc-list li")]
    assert sorted(docs) == sorted(["商业计划书.pdf", "第二版.pdf", "路演.pdf"])
    assert len(page.select(".doc-list li.doc-replaced")) == 1
    assert page.select_one(f'a[href="/documents/{new.id}?inline=1"]') is not None
    history = page.select_one("ol.history").get_text(" ", strip=True)
    assert "Entry changed" in history
    assert "来函更正" in history
    assert [li.get_text(" ", strip=True) for li in page.select(".round-step")] == [
        "preliminary In the round"
    ]


def _stored(entry: Entry) -> dict[str, str]:
    return {
        "track_code": "startup",
        "title": entry.title,
        "summary": entry.summary,
        "field": entry.field,
        "institution": entry.institution,
        "city": entry.city,
        "leader_name": entry.leader_name,
        "leader_phone": entry.leader_phone,
        "leader_email": entry.leader_email,
        "members": "张三\n李四",
        "company_name": entry.company_name,
        "credit_code": entry.credit_code,
        "founded_on": "",
        "video_url": "",
    }


def test_edit_entry_by_organiser_audits_with_reason(
    client: TestClient, db: Session, world: World, sample: dict[str, Entry]
) -> None:
    entry = sample["heart"]
    world.contest.registration_closes_at = utcnow()
    db.add(world.contest)
    db.commit()
    web = organiser(client, world)

    response = web.post(
        f"/manage/entries/{entry.id}/edit",
        data=factories.form(web, {**_stored(entry), "city": "苏州", "reason": "来函更正"}),
        follow_redirects=False,
    )

    assert response.status_code == 303
    db.expire_all()
    assert db.get(Entry, entry.id).city == "苏州"
    log = db.scalars(select(AuditRecord).where(AuditRecord.action == "entry.update")).one()
    assert (log.before, log.after, log.reason) == ({"city": "上海"}, {"city": "苏州"}, "来函更正")


def test_edit_entry_by_organiser_invalid_is_reshown(
    client: TestClient, db: Session, world: World, sample: dict[str, Entry]
) -> None:
    entry = sample["heart"]
    web = organiser(client, world)

    response = web.post(
        f"/manage/entries/{entry.id}/edit",
        data=factories.form(web, {**_stored(entry), "credit_code": "123"}),
    )

    assert response.status_code == 422
    error = soup(response).select_one("#f-credit_code").find_parent("div").select_one("p.error")
    assert "18 characters" in error.get_text()
    db.expire_all()
    assert db.get(Entry, entry.id).credit_code == "91310000MA1FL4B24G"


def test_add_entry_by_organiser(client: TestClient, db: Session, world: World) -> None:
    web = organiser(client, world)
    values = {
        "track_code": "creative",
        "title": "新增项目",
        "summary": "简介",
        "institution": "同济大学",
        "city": "上海",
        "leader_name": "钱七",
        "leader_email": "qian@example.com",
        "members": "",
        "privacy_consent": "1",
    }

    response = web.post(
        f"/manage/contests/{world.contest.id}/entries/new",
        data=factories.form(web, values),
        follow_redirects=False,
    )

    entry = db.scalars(select(Entry)).one()
    assert response.headers["location"] == f"/manage/entries/{entry.id}"
    assert (entry.title, entry.owner_id) == ("新增项目", None)


def test_withdraw_by_organiser_with_reason(
    client: TestClient, db: Session, world: World, sample: dict[str, Entry]
) -> None:
    entry = sample["heart"]
    web = organiser(client, world)

    web.post(
        f"/manage/entries/{entry.id}/withdraw", data=factories.form(web, {"reason": "重复报名"})
    )

    db.expire_all()
    assert db.get(Entry, entry.id).withdrawn_at is not None
    log = db.scalars(select(AuditRecord).where(AuditRecord.action == "entry.withdraw")).one()
    assert (log.actor_id, log.reason) == (world.organiser.id, "重复报名")


def _csv(rows: list[list[str]]) -> bytes:
    header = [
        "track_code",
        "title",
        "summary",
        "institution",
        "city",
        "leader_name",
        "leader_phone",
        "company_name",
        "credit_code",
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return ("\ufeff" + buffer.getvalue()).encode()


def test_import_page_lists_every_bad_row_and_imports_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    web = organiser(client, world)
    rows = [
        ["creative", "好项目", "简介", "复旦大学", "上海", "甲", "13800138000", "", ""],
        ["startup", "坏项目", "简介", "复旦大学", "上海", "乙", "13800138000", "公司", "BAD"],
        ["creative", "", "简介", "复旦大学", "上海", "丙", "12", "", ""],
    ]

    response = web.post(
        f"/manage/contests/{world.contest.id}/entries/import",
        data=factories.form(web),
        files={"file": ("报名表.csv", _csv(rows), "text/csv")},
    )

    assert response.status_code == 422
    table = soup(response).select("table.import-errors tbody tr")
    assert [[td.get_text(strip=True) for td in tr.select("td")][:2] for tr in table] == [
        ["3", "credit_code"],
        ["4", "title"],
        ["4", "leader_phone"],
    ]
    assert db.scalars(select(Entry)).all() == []


def test_import_page_good_file_redirects_to_the_list(
    client: TestClient, db: Session, world: World
) -> None:
    web = organiser(client, world)
    rows = [["creative", "好项目", "简介", "复旦大学", "上海", "甲", "13800138000", "", ""]]

    response = web.post(
        f"/manage/contests/{world.contest.id}/entries/import",
        data=factories.form(web),
        files={"file": ("报名表.csv", _csv(rows), "text/csv")},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/manage/contests/{world.contest.id}/entries"
    assert [e.title for e in db.scalars(select(Entry))] == ["好项目"]


def test_import_page_without_csrf_token_is_refused(
    client: TestClient, db: Session, world: World
) -> None:
    web = organiser(client, world)
    rows = [["creative", "好项目", "简介", "复旦大学", "上海", "甲", "13800138000", "", ""]]

    response = web.post(
        f"/manage/contests/{world.contest.id}/entries/import",
        files={"file": ("a.csv", _csv(rows), "text/csv")},
    )

    assert response.status_code == 403
    assert db.scalars(select(Entry)).all() == []


def test_import_template_imports_as_it_is(client: TestClient, db: Session, world: World) -> None:
    web = organiser(client, world)
    template = web.get(f"/manage/contests/{world.contest.id}/entries/import/template.csv")

    response = web.post(
        f"/manage/contests/{world.contest.id}/entries/import",
        data=factories.form(web),
        files={"file": ("entries-template.csv", template.content, "text/csv")},
        follow_redirects=False,
    )

    assert template.content.startswith(b"\xef\xbb\xbf")
    assert response.status_code == 303
    assert sorted(e.title for e in db.scalars(select(Entry))) == [
        "示例项目（创业组）",
        "示例项目（创意组）",
    ]


def test_export_button_downloads_the_csv_with_the_session(
    client: TestClient, world: World, sample: dict[str, Entry]
) -> None:
    web = organiser(client, world)
    href = soup(web.get(f"/manage/contests/{world.contest.id}/entries")).find(
        "a", string="Export CSV"
    )["href"]

    response = web.get(href)

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == ["心电贴片", "肺结节AI", "<b>疫苗</b>佐剂"]
