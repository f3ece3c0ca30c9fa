"""Consent to the privacy notices through the API (docs/api.md "Personal information"):
sign-up agrees to the site's notice, an entry to its contest's notice; the version and
the time are stored; organisers edit their contest's notice, each change a new version."""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from contest.models import AuditRecord, Entry, PrivacyNotice, User
from tests import factories
from tests.app_client import TestClient
from tests.factories import World


def _fields(response: Any) -> set[str]:
    return {e["loc"][-1] for e in response.json()["detail"]}


def _entry(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "track_code": "creative",
        "title": "AI辅助病理切片诊断",
        "summary": "用深度学习辅助病理医生阅片。",
        "institution": "上海交通大学",
        "city": "上海",
        "leader_name": "陈晨",
        "leader_phone": "+852 9123 4567",
        "members": ["李雷"],
    }
    body.update(changes)
    return body


def test_sign_up_with_consent_stores_the_site_notice_version_and_time(
    client: TestClient, db: Session
) -> None:
    notice = client.get("/api/v1/privacy-notice").json()

    response = client.post(
        "/api/v1/auth/register",
        json={
            "email": "chen@example.com",
            "password": "a long password",
            "name": "陈晨",
            "privacy_consent": True,
        },
    )

    assert response.status_code == 201, response.text
    assert "个人信息保护法" in notice["text_zh"]
    assert "PIPL" in notice["text_en"]
    user = db.scalars(select(User).where(User.email == "chen@example.com")).one()
    assert user.privacy_version == notice["version"] == 1
    assert user.privacy_consented_at is not None


def test_sign_up_refusing_consent_is_422_naming_the_field_and_creates_nothing(
    client: TestClient, db: Session
) -> None:
    response = client.post(
        "/api/v1/auth/register",
        json={
            "email": "chen@example.com",
            "password": "a long password",
            "name": "陈晨",
            "privacy_consent": False,
        },
    )

    assert response.status_code == 422
    assert _fields(response) == {"privacy_consent"}
    assert db.scalars(select(User).where(User.email == "chen@example.com")).first() is None


def test_sign_up_without_the_field_follows_the_contract_unless_consent_is_required(
    client: TestClient, db: Session, app: Any
) -> None:
    """The API contract's register body (docs/api.md) has no consent field: by default
    such a call still makes the account (no consent recorded); TIANJIAO_REQUIRE_API_CONSENT
    makes it a 422, listed with the other bad fields."""
    plain = {"email": "old@example.com", "password": "a long password", "name": "老客户端"}
    assert client.post("/api/v1/auth/register", json=plain).status_code == 201
    old = db.scalars(select(User).where(User.email == "old@example.com")).one()
    assert old.privacy_version is None

    app.state.settings.require_api_consent = True
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "new@example.com", "password": "short", "name": "新客户端"},
    )

    assert response.status_code == 422
    assert _fields(response) == {"password", "privacy_consent"}
    assert db.scalars(select(User).where(User.email == "new@example.com")).first() is None


def test_contest_notice_starts_from_the_default_and_each_change_is_a_new_version(
    client: TestClient, db: Session, world: World
) -> None:
    url = f"/api/v1/contests/{world.contest.id}/privacy-notice"
    organiser = factories.bearer(client, world.organiser)
    default = client.get(url).json()

    changed = client.put(
        url,
        json={"text_zh": "新的声明：主办方联系人 张老师。", "text_en": "New notice."},
        headers=organiser,
    )
    again = client.put(
        url,
        json={"text_zh": "新的声明：主办方联系人 张老师。", "text_en": "New notice."},
        headers=organiser,
    )
    edited = client.put(url, json={"text_zh": "第三版声明。"}, headers=organiser)

    assert (default["version"], default["edited"]) == (1, False)
    assert world.contest.name in default["text_zh"]
    assert "个人信息保护法" in default["text_zh"]
    assert changed.status_code == 200, changed.text
    assert (changed.json()["version"], again.json()["version"], edited.json()["version"]) == (
        2,
        2,
        3,
    )
    assert client.get(url).json()["text_zh"] == "第三版声明。"
    # Every version stays readable: what a team agreed to can be shown again.
    assert client.get(url, params={"version": 1}).json()["text_zh"] == default["text_zh"]
    assert client.get(url, params={"version": 2}).json()["text_en"] == "New notice."
    assert client.get(url, params={"version": 9}).status_code == 404
    versions = db.scalars(
        select(PrivacyNotice.version).where(PrivacyNotice.contest_id == world.contest.id)
    ).all()
    assert sorted(versions) == [1, 2, 3]
    audits = db.scalars(
        select(AuditRecord)
        .where(AuditRecord.action == "privacy_notice.update")
        .order_by(AuditRecord.id)
    ).all()
    assert [(a.before["version"], a.after["version"]) for a in audits] == [(1, 2), (2, 3)]
    assert audits[0].actor_id == world.organiser.id


def test_contest_notice_needs_chinese_text_and_only_organisers_edit_it(
    client: TestClient, db: Session, world: World
) -> None:
    url = f"/api/v1/contests/{world.contest.id}/privacy-notice"

    empty = client.put(
        url,
        json={"text_zh": "  ", "text_en": "x"},
        headers=factories.bearer(client, world.organiser),
    )
    by_team = client.put(
        url, json={"text_zh": "团队改的"}, headers=factories.bearer(client, world.team)
    )
    by_other = client.put(
        url, json={"text_zh": "别人改的"}, headers=factories.bearer(client, world.other_organiser)
    )

    assert empty.status_code == 422
    assert _fields(empty) == {"text_zh"}
    assert (by_team.status_code, by_other.status_code) == (403, 404)
    assert client.get(url).json()["version"] == 1
    assert db.scalars(select(PrivacyNotice)).first() is None


def test_entry_with_consent_records_the_contest_notice_version_it_agreed_to(
    client: TestClient, db: Session, world: World
) -> None:
    organiser = factories.bearer(client, world.organiser)
    client.put(
        f"/api/v1/contests/{world.contest.id}/privacy-notice",
        json={"text_zh": "第二版。"},
        headers=organiser,
    )

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/entries",
        json=_entry(privacy_consent=True),
        headers=factories.bearer(client, world.team),
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["privacy_version"] == 2
    assert body["privacy_consented_at"]
    entry = db.get(Entry, body["id"])
    assert (entry.privacy_version, entry.privacy_consented_at is not None) == (2, True)


def test_entry_refusing_consent_is_422_with_the_other_mistakes_and_creates_nothing(
    client: TestClient, db: Session, world: World, app: Any
) -> None:
    headers = factories.bearer(client, world.team)
    url = f"/api/v1/contests/{world.contest.id}/entries"

    refused = client.post(
        url, json=_entry(privacy_consent=False, leader_phone="12345"), headers=headers
    )
    app.state.settings.require_api_consent = True
    missing = client.post(url, json=_entry(), headers=headers)

    assert refused.status_code == 422
    assert _fields(refused) == {"privacy_consent", "leader_phone"}
    assert missing.status_code == 422
    assert _fields(missing) == {"privacy_consent"}
    assert db.scalars(select(Entry)).first() is None


def test_entry_without_the_field_is_made_without_a_recorded_consent_by_default(
    client: TestClient, db: Session, world: World
) -> None:
    response = client.post(
        f"/api/v1/contests/{world.contest.id}/entries",
        json=_entry(),
        headers=factories.bearer(client, world.team),
    )

    assert response.status_code == 201, response.text
    assert response.json()["privacy_version"] is None


def test_a_draft_contest_notice_is_hidden_from_the_public(
    client: TestClient, db: Session, world: World
) -> None:
    draft = factories.contest(db, world.organiser, name="筹备中的大赛", status="draft")
    db.commit()
    url = f"/api/v1/contests/{draft.id}/privacy-notice"

    assert client.get(url).status_code == 404
    assert client.get(url, headers=factories.bearer(client, world.organiser)).status_code == 200


def test_sign_up_by_mail_records_consent_on_the_account_awaiting_confirmation(
    client: TestClient, db: Session, mail_app: Any
) -> None:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "mail@example.com", "password": "a long password", "name": "邮件用户",
              "privacy_consent": True},
    )

    assert response.status_code == 202, response.text
    user = db.scalars(select(User).where(User.email == "mail@example.com")).one()
    assert (user.awaiting_confirmation, user.privacy_version) == (True, 1)
