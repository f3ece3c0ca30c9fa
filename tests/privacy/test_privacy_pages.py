"""The pages of personal information: the consent box of sign-up and the entry forms,
the notices, the organiser's notice editor and a team's personal-data page."""

from typing import Any

from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import ContestStatus
from contest.models import AuditRecord, Entry, PrivacyNotice, User
from tests import factories
from tests.app_client import TestClient
from tests.factories import World


def soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def _entry_form(**changes: str) -> dict[str, str]:
    values = {
        "track_code": "creative",
        "title": "AI辅助病理切片诊断",
        "summary": "用深度学习辅助病理医生阅片。",
        "institution": "上海交通大学",
        "city": "上海",
        "leader_name": "陈晨",
        "leader_phone": "+853 6612 3456",
        "members": "李雷",
    }
    values.update(changes)
    return values


def test_register_page_shows_the_notice_and_refuses_without_consent(
    client: TestClient, db: Session
) -> None:
    page = soup(client.get("/register"))
    box = page.select_one("input#f-privacy_consent")

    response = client.post(
        "/register",
        data=factories.form(
            client, {"name": "赵队长", "email": "zhao@example.com", "password": "longpassword"}
        ),
    )

    assert box is not None
    assert box.has_attr("required")
    assert "个人信息保护法" in page.select_one(".consent-text").get_text()
    assert response.status_code == 422
    refused = soup(response)
    assert refused.select_one("#e-privacy_consent").get_text(strip=True) == (
        "请阅读隐私声明并同意后继续。"
    )
    assert refused.select_one("input#f-email")["value"] == "zhao@example.com"
    assert db.scalars(select(User).where(User.email == "zhao@example.com")).first() is None


def test_the_site_and_contest_notices_have_public_pages(
    client: TestClient, db: Session, world: World
) -> None:
    site = soup(client.get("/privacy"))
    contest = soup(client.get(f"/contests/{world.contest.id}/privacy"))

    assert "个人信息保护法" in site.select_one(".notice-text").get_text()
    assert world.contest.name in contest.select_one(".notice-text").get_text()


def test_team_entry_form_asks_consent_and_records_the_version(
    client: TestClient, db: Session, world: World
) -> None:
    web = factories.login(client, world.team)
    url = f"/team/contests/{world.contest.id}/enter"
    form = soup(web.get(url))

    refused = web.post(url, data=factories.form(web, _entry_form(leader_phone="12345")))
    agreed = web.post(
        url, data=factories.form(web, _entry_form(privacy_consent="1")), follow_redirects=False
    )

    assert form.select_one("form input#f-privacy_consent") is not None
    assert form.select_one(f"a[href='/contests/{world.contest.id}/privacy']") is not None
    assert refused.status_code == 422
    errors = soup(refused)
    assert errors.select_one("#e-privacy_consent") is not None
    assert errors.select_one("#e-leader_phone") is not None  # every mistake at once
    assert agreed.status_code == 303
    entry = db.scalars(select(Entry)).one()
    assert (entry.privacy_version, entry.leader_phone) == (1, "+85366123456")
    dashboard = soup(web.get("/team"))
    agreed_to = dashboard.select_one(f"a[href='/contests/{world.contest.id}/privacy?version=1']")
    assert agreed_to is not None
    assert dashboard.find("dt", string="电话").find_next("dd").get_text() == "+853 6612 3456"


def test_organiser_adding_an_entry_confirms_the_teams_consent(
    client: TestClient, db: Session, world: World
) -> None:
    web = factories.login(client, world.organiser)
    url = f"/manage/contests/{world.contest.id}/entries/new"

    refused = web.post(url, data=factories.form(web, _entry_form()))

    assert refused.status_code == 422
    assert soup(refused).select_one("#e-privacy_consent") is not None
    assert db.scalars(select(Entry)).first() is None


def test_entry_pages_show_phone_numbers_readably(
    client: TestClient, db: Session, world: World
) -> None:
    mainland = factories.entry(db, world.contest, world.creative, owner=world.team)
    hong_kong = factories.entry(db, world.contest, world.creative)
    hong_kong.leader_phone = "+85291234567"
    db.commit()
    web = factories.login(client, world.organiser)

    shown = [
        soup(web.get(f"/manage/entries/{item.id}")).find("dt", string="电话").find_next("dd")
        for item in (mainland, hong_kong)
    ]
    edit = soup(web.get(f"/manage/entries/{hong_kong.id}/edit"))

    assert [dd.get_text(strip=True) for dd in shown] == ["138 0013 8000", "+852 9123 4567"]
    assert edit.select_one("input#f-leader_phone")["value"] == "+852 9123 4567"


def test_organiser_edits_the_notice_on_its_page(
    client: TestClient, db: Session, world: World
) -> None:
    web = factories.login(client, world.organiser)
    url = f"/manage/contests/{world.contest.id}/privacy"
    editor = soup(web.get(url))

    saved = web.post(
        url, data=factories.form(web, {"text_zh": "本届大赛隐私声明（修订）。", "text_en": ""})
    )
    empty = web.post(url, data=factories.form(web, {"text_zh": " ", "text_en": "x"}))

    assert world.contest.name in editor.select_one("textarea#f-text_zh").get_text()
    assert saved.status_code == 200
    assert "版本 2" in soup(saved).select_one("h1").get_text()
    assert empty.status_code == 422
    assert soup(empty).select_one("#e-text_zh") is not None
    versions = db.scalars(select(PrivacyNotice.version)).all()
    assert sorted(versions) == [1, 2]


def test_personal_data_page_exports_and_erases_after_the_contest(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team, title="心电贴片")
    db.commit()
    web = factories.login(client, world.organiser)
    url = f"/manage/entries/{entry.id}/personal-data"
    running = soup(web.get(url))

    world.contest.status = ContestStatus.finished
    db.add(world.contest)
    db.commit()
    finished = soup(web.get(url))
    form = finished.select_one(f"form[action='{url}/erase']")
    no_reason = web.post(f"{url}/erase", data=factories.form(web, {"reason": ""}))
    erased = web.post(f"{url}/erase", data=factories.form(web, {"reason": "团队书面申请"}))

    assert running.select_one(f"form[action='{url}/erase']") is None  # not before the end
    assert running.select_one(f"a[href='/api/v1/entries/{entry.id}/personal-data.xlsx']")
    assert form is not None
    assert form.has_attr("data-confirm")
    assert no_reason.status_code == 422
    assert soup(no_reason).select_one("#e-reason") is not None
    assert erased.status_code == 200
    db.expire_all()
    assert db.get(Entry, entry.id).leader_name == "已删除"
    record = db.scalars(
        select(AuditRecord).where(AuditRecord.action == "personal_data.erase")
    ).one()
    assert record.reason == "团队书面申请"
