"""Pages: a team's dashboard, entry form, uploads, withdrawal and documents."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import ContestStatus, EntryStatus, Tier
from contest.core.settings import Settings
from contest.models import Advancement, Award, Document, Entry, utcnow
from tests import factories
from tests.app_client import TestClient
from tests.factories import World


def english(client: TestClient) -> TestClient:
    client.cookies.set("tj_lang", "en")
    return client


def team_client(client: TestClient, world: World) -> TestClient:
    return english(factories.login(client, world.team))


def soup(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def entry_form(**changes: str) -> dict[str, str]:
    values = {
        "track_code": "startup",
        "title": "智能可穿戴心电监测",
        "summary": "面向基层医疗的心电监测。",
        "field": "医疗器械",
        "institution": "复旦大学",
        "city": "上海",
        "leader_name": "王小明",
        "leader_phone": "13800138000",
        "leader_email": "",
        "members": "李雷\n韩梅梅",
        "company_name": "上海心联医疗科技有限公司",
        "credit_code": "91310000MA1FL4B24G",
        "founded_on": "2021-05-01",
        "video_url": "",
        "privacy_consent": "1",
    }
    values.update(changes)
    return values


def files_on_disk(settings: Settings) -> list[Path]:
    """The uploaded originals (each PDF also has a cleaned copy beside it)."""
    root = settings.uploads_dir
    found = sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
    return [p for p in found if not p.name.endswith("-clean.pdf")]


def test_dashboard_anonymous_is_sent_to_log_in(client: TestClient, world: World) -> None:
    response = client.get("/team", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/team"


def test_dashboard_other_roles_are_refused(client: TestClient, world: World) -> None:
    factories.login(client, world.organiser)

    assert client.get("/team").status_code == 403


def test_dashboard_without_entry_offers_the_open_contest(client: TestClient, world: World) -> None:
    page = soup(team_client(client, world).get("/team"))

    link = page.select_one(f'a[href="/team/contests/{world.contest.id}/enter"]')
    assert link is not None
    assert link.get_text(strip=True) == "Enter this contest"
    assert page.select("article.entry-card") == []


def test_entry_form_prefills_the_leader_and_offers_tracks(client: TestClient, world: World) -> None:
    page = soup(team_client(client, world).get(f"/team/contests/{world.contest.id}/enter"))

    assert page.select_one("#f-leader_name")["value"] == world.team.name
    assert page.select_one("#f-leader_email")["value"] == world.team.email
    radios = page.select('input[name="track_code"]')
    assert [(r["value"], r["data-requires-company"]) for r in radios] == [
        ("startup", "yes"),
        ("creative", "no"),
    ]
    assert page.select_one('form.entry-form input[name="csrf_token"]')["value"]


def test_submit_entry_creates_it_and_shows_it_on_the_dashboard(
    client: TestClient, db: Session, world: World
) -> None:
    team = team_client(client, world)

    response = team.post(
        f"/team/contests/{world.contest.id}/enter",
        data=factories.form(team, entry_form()),
        follow_redirects=False,
    )

    assert response.status_code == 303
    entry = db.scalars(select(Entry)).one()
    assert response.headers["location"] == f"/team?entry={entry.id}#messages-{entry.id}"
    assert (entry.owner_id, entry.title, entry.credit_code) == (
        world.team.id,
        "智能可穿戴心电监测",
        "91310000MA1FL4B24G",
    )
    page = soup(team.get(response.headers["location"]))
    card = page.select_one(f"#entry-{entry.id}")
    assert card.select_one("h2").get_text(strip=True) == "智能可穿戴心电监测"
    assert "Business plan missing" in card.select_one(".entry-badges").get_text()
    assert card.select_one(f'form[action="/team/entries/{entry.id}/documents"]') is not None
    flashes = [f.get_text(strip=True) for f in card.select(f"#messages-{entry.id} .flash-success")]
    assert any(text.startswith("Your entry is registered") for text in flashes)


def test_submit_entry_with_mistakes_shows_each_next_to_its_field(
    client: TestClient, db: Session, world: World
) -> None:
    team = team_client(client, world)
    values = entry_form(
        title="", credit_code="91310000MA1FL4B24H", founded_on="not a date", leader_phone="123"
    )

    response = team.post(
        f"/team/contests/{world.contest.id}/enter", data=factories.form(team, values)
    )

    assert response.status_code == 422
    page = soup(response)
    errors = {
        p.find_parent("div", class_="field").select_one("label")["for"]: p.get_text(strip=True)
        for p in page.select(".field p.error")
    }
    assert set(errors) == {"f-title", "f-credit_code", "f-founded_on", "f-leader_phone"}
    assert "check character" in errors["f-credit_code"]
    assert page.select_one("#f-summary").get_text() == values["summary"]
    assert page.select_one("#f-credit_code")["value"] == "91310000MA1FL4B24H"
    assert db.scalars(select(Entry)).all() == []


def test_submit_second_entry_shows_the_limit_above_the_form(
    client: TestClient, db: Session, world: World
) -> None:
    factories.entry(db, world.contest, world.creative, owner=world.team)
    db.commit()
    team = team_client(client, world)

    response = team.post(
        f"/team/contests/{world.contest.id}/enter", data=factories.form(team, entry_form())
    )

    assert response.status_code == 422
    alert = soup(response).select_one(".flash-error")
    assert "most allowed" in alert.get_text()


def test_submit_entry_without_csrf_token_is_refused(
    client: TestClient, db: Session, world: World
) -> None:
    team = team_client(client, world)

    response = team.post(f"/team/contests/{world.contest.id}/enter", data=entry_form())

    assert response.status_code == 403
    assert db.scalars(select(Entry)).all() == []


def test_enter_after_registration_closed_is_409(
    client: TestClient, db: Session, world: World
) -> None:
    world.contest.registration_closes_at = utcnow() - timedelta(minutes=5)
    db.add(world.contest)
    db.commit()
    team = team_client(client, world)

    page = team.get(f"/team/contests/{world.contest.id}/enter")
    post = team.post(
        f"/team/contests/{world.contest.id}/enter", data=factories.form(team, entry_form())
    )

    assert (page.status_code, post.status_code) == (409, 409)
    assert db.scalars(select(Entry)).all() == []


def test_closed_registration_hides_editing_and_uploads(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    world.contest.registration_closes_at = utcnow() - timedelta(minutes=5)
    db.add(world.contest)
    db.commit()
    team = team_client(client, world)

    card = soup(team.get("/team")).select_one(f"#entry-{entry.id}")

    assert card.select_one(f'a[href="/team/entries/{entry.id}/edit"]') is None
    assert card.select_one("form.upload-form") is None
    assert "Registration has closed" in card.get_text()
    assert team.get(f"/team/entries/{entry.id}/edit").status_code == 409


def test_edit_entry_saves_changes(client: TestClient, db: Session, world: World) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team, title="旧标题")
    db.commit()
    team = team_client(client, world)
    form_page = soup(team.get(f"/team/entries/{entry.id}/edit"))
    values = {
        field["name"]: field.get("value", "")
        for field in form_page.select("form.entry-form input[name]")
        if field.get("type") not in ("radio", "hidden")
    }
    values.update(track_code="creative", title="新标题", members="甲\n乙", summary="新简介")

    response = team.post(
        f"/team/entries/{entry.id}/edit", data=factories.form(team, values), follow_redirects=False
    )

    assert response.status_code == 303, response.text
    db.expire_all()
    changed = db.get(Entry, entry.id)
    assert (changed.title, changed.summary) == ("新标题", "新简介")
    assert form_page.select_one("#f-members").get_text() == "张三\n李四"


def test_edit_other_teams_entry_is_404(client: TestClient, db: Session, world: World) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.other_team)
    db.commit()
    team = team_client(client, world)

    page = team.get(f"/team/entries/{entry.id}/edit")
    post = team.post(
        f"/team/entries/{entry.id}/edit",
        data=factories.form(team, entry_form(track_code="creative")),
    )
    upload = team.post(
        f"/team/entries/{entry.id}/documents",
        data=factories.form(team, {"kind": "business_plan"}),
        files={"file": ("a.pdf", factories.pdf_bytes(), "application/pdf")},
    )
    withdraw = team.post(f"/team/entries/{entry.id}/withdraw", data=factories.form(team))

    assert [r.status_code for r in (page, post, upload, withdraw)] == [404, 404, 404, 404]
    db.expire_all()
    assert db.get(Entry, entry.id).withdrawn_at is None
    assert db.scalars(select(Document)).all() == []


def upload_page(
    team: TestClient, entry_id: int, data: bytes, filename: str, csrf: bool = True
) -> Any:
    fields = {"kind": "business_plan"}
    return team.post(
        f"/team/entries/{entry_id}/documents",
        data=factories.form(team, fields) if csrf else fields,
        files={"file": (filename, data, "application/pdf")},
        follow_redirects=False,
    )


def test_upload_from_the_dashboard_shows_the_document_with_its_name_as_text(
    client: TestClient, db: Session, world: World, settings: Settings
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    db.commit()
    team = team_client(client, world)
    name = "<img src=x onerror=alert(1)>计划书.pdf"

    response = upload_page(team, entry.id, factories.pdf_bytes(), name)

    assert response.status_code == 303
    assert response.headers["location"] == f"/team?entry={entry.id}#messages-{entry.id}"
    document = db.scalars(select(Document)).one()
    page = soup(team.get(response.headers["location"]))
    # The message sits in the entry's card, where the address jumps, not above the page.
    messages = page.select(f"#entry-{entry.id} #messages-{entry.id} .flash-success")
    assert messages[-1].get_text(strip=True).startswith("Uploaded")
    assert page.select("main > .flash") == []
    link = page.select_one(f'#entry-{entry.id} a[href="/documents/{document.id}?inline=1"]')
    assert link.get_text() == name
    assert page.select("img") == []
    assert "Business plan uploaded" in page.select_one(".entry-badges").get_text()
    assert len(files_on_disk(settings)) == 1


def test_upload_without_csrf_token_is_refused_and_stores_nothing(
    client: TestClient, db: Session, world: World, settings: Settings
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    db.commit()
    team = team_client(client, world)

    response = upload_page(team, entry.id, factories.pdf_bytes(), "a.pdf", csrf=False)

    assert response.status_code == 403
    assert db.scalars(select(Document)).all() == []
    assert files_on_disk(settings) == []


def test_upload_of_a_renamed_executable_explains_and_stores_nothing(
    client: TestClient, db: Session, world: World, settings: Settings
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    db.commit()
    team = team_client(client, world)

    response = upload_page(team, entry.id, b"\x7fELF" + b"\x00" * 5000, "plan.pdf")
    page = soup(team.get(response.headers["location"]))

    assert response.status_code == 303
    assert "not a PDF" in page.select_one(".flash-error").get_text()
    assert db.scalars(select(Document)).all() == []
    assert files_on_disk(settings) == []


def test_upload_too_large_from_the_page_explains(
    client: TestClient, app: Any, db: Session, world: World, settings: Settings
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    db.commit()
    app.state.settings.upload_limit_bytes = 1000
    team = team_client(client, world)

    response = upload_page(team, entry.id, factories.pdf_bytes(pages=5), "big.pdf")
    page = soup(team.get(response.headers["location"]))

    assert response.status_code == 303
    assert "larger than" in page.select_one(".flash-error").get_text()
    assert files_on_disk(settings) == []


def test_dashboard_shows_round_status_only_once_published(
    client: TestClient, db: Session, world: World, round_opened: None
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    factories.enrol(db, world.preliminary, entry, EntryStatus.advanced)
    factories.enrol(db, world.semifinal, entry)
    db.commit()
    team = team_client(client, world)

    before = [li.get_text(" ", strip=True) for li in soup(team.get("/team")).select(".round-step")]
    db.add(Advancement(round_id=world.preliminary.id, published_at=utcnow()))
    db.commit()
    after = [li.get_text(" ", strip=True) for li in soup(team.get("/team")).select(".round-step")]

    assert before == ["preliminary Under review"]  # the semifinal place would tell
    # The semifinal has not opened: the team is not told it is being reviewed.
    assert after == ["preliminary Advanced", "semifinal Not started"]


def test_dashboard_status_never_runs_ahead_of_the_round(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    factories.enrol(db, world.preliminary, entry)
    world.preliminary.opens_at = utcnow() + timedelta(days=2)
    db.add(world.preliminary)
    db.commit()
    team = team_client(client, world)

    def steps() -> list[str]:
        page = soup(team.get("/team"))
        return [li.get_text(" ", strip=True) for li in page.select(".round-step")]

    waiting = steps()
    world.preliminary.opens_at = utcnow() - timedelta(days=2)
    db.add(world.preliminary)
    db.commit()
    scoring = steps()
    world.preliminary.closes_at = utcnow() - timedelta(hours=1)
    db.add(world.preliminary)
    db.commit()
    closed = steps()

    assert waiting == ["preliminary Not started"]
    assert scoring == ["preliminary Under review"]
    assert closed == ["preliminary Results pending"]


def test_dashboard_shows_feedback_anonymously_once_published(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    for judge, comment in zip(world.judges, ["技术扎实", "", "市场分析不足"], strict=True):
        factories.sheet(
            db, world.preliminary, judge, entry, [250, 200, 150, 100, 80], comment=comment
        )
    db.commit()
    team = team_client(client, world)

    hidden = soup(team.get("/team")).select(".feedback-list li")
    world.preliminary.feedback_published_at = utcnow()
    db.add(world.preliminary)
    db.commit()
    shown = soup(team.get("/team")).select(".feedback-list li")

    assert hidden == []
    assert [li.get_text(" ", strip=True) for li in shown] == [
        "Judge 1 技术扎实",
        "Judge 2 市场分析不足",
    ]
    assert world.judge_users[0].name not in soup(team.get("/team")).get_text()


def test_dashboard_feedback_is_in_chinese_by_default(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    factories.sheet(
        db, world.preliminary, world.judges[0], entry, [250, 200, 150, 100, 80], comment="很好"
    )
    world.preliminary.feedback_published_at = utcnow()
    db.add(world.preliminary)
    db.commit()
    factories.login(client, world.team)

    shown = soup(client.get("/team")).select(".feedback-list li strong")

    assert [s.get_text() for s in shown] == ["评委1"]


def test_dashboard_links_the_certificate_of_a_published_award(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    award = Award(contest_id=world.contest.id, entry_id=entry.id, tier=Tier.gold)
    db.add(award)
    db.commit()
    team = team_client(client, world)

    unpublished = soup(team.get("/team"))
    award.published_at = utcnow()
    db.add(award)
    db.commit()
    page = soup(team.get("/team"))
    published = page.select_one(".certificate-box")

    assert unpublished.select_one(".certificate-box") is None
    assert unpublished.select_one(".badge-gold") is None
    assert published.select_one("a")["href"] == f"/api/v1/awards/{award.id}/certificate.pdf"
    assert "Gold award" in published.get_text()
    # Status, award and certificate come first in the card; a winner is not offered 退赛.
    sections = [s.get("class", []) for s in page.select("article.entry-card > section")]
    assert "certificate-box" in sections[0]
    assert page.select_one(f'form[action="/team/entries/{entry.id}/withdraw"]') is None


def test_withdraw_from_the_dashboard(client: TestClient, db: Session, world: World) -> None:
    entry = factories.entry(
        db, world.contest, world.creative, owner=world.team, rounds=(world.preliminary,)
    )
    db.commit()
    team = team_client(client, world)

    response = team.post(
        f"/team/entries/{entry.id}/withdraw", data=factories.form(team), follow_redirects=False
    )
    card = soup(team.get("/team")).select_one(f"#entry-{entry.id}")

    assert response.status_code == 303
    db.expire_all()
    assert db.get(Entry, entry.id).withdrawn_at is not None
    assert "Withdrawn" in card.select_one(".entry-badges").get_text()
    assert card.select_one("form.upload-form") is None


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("team", 200),
        ("other_team", 404),
        ("assigned_judge", 200),
        ("unassigned_judge", 404),
        ("organiser", 200),
        ("other_organiser", 404),
    ],
)
def test_document_page_by_role(
    client: TestClient, db: Session, world: World, settings: Settings, who: str, expected: int
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    document = factories.document(db, entry, settings, filename="计划书.pdf")
    factories.assign(db, world.preliminary, world.judges[0], entry)
    db.commit()
    people = {
        "team": world.team,
        "other_team": world.other_team,
        "assigned_judge": world.judge_users[0],
        "unassigned_judge": world.judge_users[1],
        "organiser": world.organiser,
        "other_organiser": world.other_organiser,
    }
    factories.login(client, people[who])

    response = client.get(f"/documents/{document.id}?inline=1")

    assert response.status_code == expected
    if expected == 200:
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith('inline; filename="')


def test_document_page_anonymous_is_sent_to_log_in(
    client: TestClient, db: Session, world: World, settings: Settings
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    document = factories.document(db, entry, settings)
    db.commit()

    response = client.get(f"/documents/{document.id}", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_dashboard_shows_the_final_finished_once_awards_are_published(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    for round_ in (world.preliminary, world.semifinal):
        factories.enrol(db, round_, entry, EntryStatus.advanced)
        db.add(Advancement(round_id=round_.id, published_at=utcnow()))
    factories.enrol(db, world.final, entry)
    db.commit()
    team = team_client(client, world)

    before = [li.get_text(" ", strip=True) for li in soup(team.get("/team")).select(".round-step")]
    world.contest.results_published_at = utcnow()
    db.add(world.contest)
    db.commit()
    after = [li.get_text(" ", strip=True) for li in soup(team.get("/team")).select(".round-step")]

    assert before[2] == "final Not started"  # the final has not opened yet
    assert after == ["preliminary Advanced", "semifinal Advanced", "final Finished"]


def test_dashboard_offers_no_withdrawal_once_the_contest_has_finished(
    client: TestClient, db: Session, world: World
) -> None:
    factories.entry(db, world.contest, world.creative, owner=world.team)
    db.commit()
    team = team_client(client, world)

    running = soup(team.get("/team")).select(".withdraw-box form")
    world.contest.status = ContestStatus.finished
    db.add(world.contest)
    db.commit()
    finished = soup(team.get("/team")).select(".withdraw-box form")

    assert len(running) == 1
    assert finished == []


def test_dashboard_says_so_when_awards_are_published_without_one_for_the_entry(
    client: TestClient, db: Session, world: World
) -> None:
    factories.entry(db, world.contest, world.creative, owner=world.team)
    world.contest.results_published_at = utcnow()
    db.add(world.contest)
    db.commit()
    team = team_client(client, world)

    box = soup(team.get("/team")).select_one(".certificate-box")

    assert "this entry did not receive one" in box.get_text()
    assert box.select_one("a")["href"] == f"/results/{world.contest.id}"


def test_entry_mistakes_get_the_same_messages_through_the_api_and_the_page(
    client: TestClient, make_client: Any, db: Session, world: World
) -> None:
    bad = {"credit_code": "91310000MA1FL4B24H", "leader_phone": "123"}
    page = team_client(client, world).post(
        f"/team/contests/{world.contest.id}/enter",
        data=factories.form(client, entry_form(**bad)),
    )
    body = {**entry_form(**bad), "members": ["李雷", "韩梅梅"], "video_url": None}
    api = make_client().post(
        f"/api/v1/contests/{world.contest.id}/entries",
        json={k: v for k, v in body.items() if v not in ("", None)},
        headers={**factories.bearer(client, world.team), "Accept-Language": "en"},
    )

    assert (page.status_code, api.status_code) == (422, 422)
    on_page = {
        p.find_parent("div", class_="field").select_one("label")["for"].removeprefix("f-"): (
            p.get_text(strip=True)
        )
        for p in soup(page).select(".field p.error")
    }
    in_api = {e["loc"][-1]: e["msg"] for e in api.json()["detail"]}
    assert on_page == in_api
    assert set(in_api) == {"credit_code", "leader_phone"}
    assert db.scalars(select(Entry)).all() == []
