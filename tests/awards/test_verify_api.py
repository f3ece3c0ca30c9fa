"""Public verification of certificates, and their revocation by organisers."""

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import Tier
from contest.models import AuditRecord, Certificate, Entry, utcnow
from tests import factories
from tests.app_client import TestClient
from tests.certificates_setup import award
from tests.factories import World

CODE = "TJ-ABCD-EFGH-2345-JKLM"


@pytest.fixture
def silver(db: Session, world: World) -> Certificate:
    entry: Entry = factories.entry(
        db,
        world.contest,
        world.creative,
        owner=world.team,
        title="阿尔茨海默病早期血液标志物检测试剂盒",
        institution="复旦大学",
        members=("赵一鸣", "孙嘉怡"),
    )
    _item, certificate = award(db, world.contest, entry, Tier.silver, code=CODE)
    assert certificate is not None
    db.commit()
    return certificate


def test_verify_valid_code_shows_the_certificate(
    client: TestClient, silver: Certificate, world: World
) -> None:
    response = client.get(f"/api/v1/verify/{CODE}")

    assert response.status_code == 200
    assert response.json() == {
        "valid": True,
        "revoked": False,
        "revoked_at": None,
        "code": CODE,
        "contest": "2023年第二届“天骄湾杯”生命健康创新创业大赛",
        "organisers": ["上海市普陀区科学技术委员会", "某大学科技园"],
        "tier": "silver",
        "award_name": "银奖 Silver Award",
        "track": "创意组",
        "title": "阿尔茨海默病早期血液标志物检测试剂盒",
        "leader": "王五",
        "members": ["赵一鸣", "孙嘉怡"],
        "institution": "复旦大学",
        "issued_on": "2023-11-23",
    }


@pytest.mark.parametrize(
    "typed",
    [
        "tj-abcd-efgh-2345-jklm",
        "TJABCDEFGH2345JKLM",
        " TJ ABCD EFGH 2345 JKLM ",
        "ＴＪ－ＡＢＣＤ－ＥＦＧＨ－２３４５－ＪＫＬＭ",  # full-width, from a Chinese input method
        "TJ—ABCD—EFGH—2345—JKLM",
    ],
)
def test_verify_tolerates_how_people_type_codes(
    client: TestClient, silver: Certificate, typed: str
) -> None:
    response = client.get("/api/v1/verify/" + typed)

    assert (response.status_code, response.json()["code"]) == (200, CODE)


@pytest.mark.parametrize("typed", ["TJ-ABCD-EFGH-2345-JKLN", "TJ-ABCD", "-", "%20"])
def test_verify_unknown_code_is_not_found(
    client: TestClient, silver: Certificate, typed: str
) -> None:
    response = client.get("/api/v1/verify/" + typed)

    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_verify_unpublished_award_is_unknown(client: TestClient, db: Session, world: World) -> None:
    entry = factories.entry(db, world.contest, world.startup)
    item, _ = award(db, world.contest, entry, published=False)
    db.add(Certificate(award_id=item.id, code="TJ-UNPU-BLIS-HED2-3456", issued_on=utcnow().date()))
    db.commit()

    response = client.get("/api/v1/verify/TJ-UNPU-BLIS-HED2-3456")

    assert response.status_code == 404


def revoke(client: TestClient, headers: dict[str, str], reason: object, code: str = CODE):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/certificates/{code}/revoke", json={"reason": reason}, headers=headers
    )


def test_revoke_marks_the_certificate_and_audits(
    client: TestClient, db: Session, world: World, silver: Certificate
) -> None:
    headers = factories.bearer(client, world.organiser)

    response = revoke(client, headers, "  项目材料存在抄袭  ")

    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["revoked"], body["revoked_reason"]) == (
        CODE,
        True,
        "项目材料存在抄袭",
    )
    db.expire_all()
    stored = db.scalars(select(Certificate).where(Certificate.code == CODE)).one()
    assert stored.revoked_reason == "项目材料存在抄袭"
    assert stored.revoked_by_id == world.organiser.id
    log = db.scalars(select(AuditRecord).where(AuditRecord.action == "certificate.revoke")).one()
    assert (log.actor_id, log.contest_id, log.object_type, log.object_id) == (
        world.organiser.id,
        world.contest.id,
        "certificates",
        stored.id,
    )
    assert (log.reason, log.before, log.after["code"]) == (
        "项目材料存在抄袭",
        {"revoked_at": None},
        CODE,
    )


def test_revoked_certificate_verifies_as_revoked_with_its_date(
    client: TestClient, world: World, silver: Certificate
) -> None:
    revoke(client, factories.bearer(client, world.organiser), "材料造假")

    body = client.get(f"/api/v1/verify/{CODE.lower()}").json()

    assert (body["valid"], body["revoked"]) == (False, True)
    assert body["revoked_at"] is not None
    assert body["code"] == CODE
    assert "材料造假" not in str(body)  # the reason stays internal


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_revoke_requires_a_reason(
    client: TestClient, db: Session, world: World, silver: Certificate, reason: object
) -> None:
    response = revoke(client, factories.bearer(client, world.organiser), reason)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "reason"]
    assert db.scalars(select(Certificate)).one().revoked_at is None
    assert db.scalars(select(AuditRecord)).all() == []


def test_revoke_twice_conflicts_and_keeps_the_first(
    client: TestClient, db: Session, world: World, silver: Certificate
) -> None:
    headers = factories.bearer(client, world.organiser)
    revoke(client, headers, "第一次")

    response = revoke(client, headers, "第二次")

    assert response.status_code == 409
    db.expire_all()
    assert db.scalars(select(Certificate)).one().revoked_reason == "第一次"
    assert len(db.scalars(select(AuditRecord)).all()) == 1


@pytest.mark.parametrize(
    ("who", "expected"),
    [("team", 403), ("judge", 403), ("other_organiser", 404), ("anonymous", 401)],
)
def test_revoke_by_role(
    client: TestClient, db: Session, world: World, silver: Certificate, who: str, expected: int
) -> None:
    people = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    headers = factories.bearer(client, people[who]) if who in people else {}

    response = revoke(client, headers, "理由")

    assert response.status_code == expected
    assert db.scalars(select(Certificate)).one().revoked_at is None


def test_revoke_unknown_code_is_not_found(
    client: TestClient, world: World, silver: Certificate
) -> None:
    response = revoke(client, factories.bearer(client, world.organiser), "理由", "TJ-NOPE")

    assert response.status_code == 404


def test_revoke_from_a_page_needs_the_csrf_header(
    client: TestClient, db: Session, world: World, silver: Certificate
) -> None:
    factories.login(client, world.organiser)

    refused = client.post(f"/api/v1/certificates/{CODE}/revoke", json={"reason": "理由"})
    accepted = client.post(
        f"/api/v1/certificates/{CODE}/revoke",
        json={"reason": "理由"},
        headers={"X-CSRF-Token": factories.csrf_token(client)},
    )

    assert (refused.status_code, accepted.status_code) == (403, 200)


def test_revoke_another_contests_code_is_not_found_whatever_the_body(
    client: TestClient, world: World, silver: Certificate
) -> None:
    headers = factories.bearer(client, world.other_organiser)

    response = client.post(f"/api/v1/certificates/{CODE}/revoke", json={}, headers=headers)

    assert response.status_code == 404
