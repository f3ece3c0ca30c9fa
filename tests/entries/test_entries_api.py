"""API: creating, reading, changing and withdrawing entries (docs/api.md "Entries")."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import ContestStatus, EntryStatus, Role, RoundKind
from contest.models import Advancement, AuditRecord, Entry, EntryMember, RoundEntry, utcnow
from tests import factories
from tests.app_client import TestClient
from tests.factories import World
from tests.judging_setup import read

STARTUP_CODE = "91310000MA1FL4B24G"


@pytest.fixture(autouse=True)
def english(client: TestClient) -> None:
    """Messages are checked in English; Chinese is the default."""
    client.headers["Accept-Language"] = "en"


def startup_payload(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "track_code": "startup",
        "title": "智能可穿戴心电监测系统",
        "summary": "面向基层医疗的低成本心电监测方案。",
        "field": "医疗器械",
        "institution": "复旦大学",
        "city": "上海",
        "leader_name": "王小明",
        "leader_email": "Wang@Example.com",
        "leader_phone": "+86 138 0013 8000",
        "members": ["李雷", " 韩梅梅 ", ""],
        "company_name": "上海心联医疗科技有限公司",
        "credit_code": STARTUP_CODE.lower(),
        "founded_on": "2021-05-01",
    }
    payload.update(changes)
    return payload


def creative_payload(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "track_code": "creative",
        "title": "AI辅助病理切片诊断",
        "summary": "用深度学习辅助病理医生阅片。",
        "institution": "上海交通大学",
        "city": "上海",
        "leader_name": "陈晨",
        "leader_email": "chen@example.com",
        "members": [],
    }
    payload.update(changes)
    return payload


def _errors(response: Any) -> dict[str, str]:
    return {".".join(str(p) for p in e["loc"][1:]): e["msg"] for e in response.json()["detail"]}


def test_create_entry_by_team_stores_normalised_values_and_enrols_in_first_round(
    client: TestClient, db: Session, world: World
) -> None:
    headers = factories.bearer(client, world.team)

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/entries", json=startup_payload(), headers=headers
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["track_code"] == "startup"
    assert body["credit_code"] == STARTUP_CODE
    assert body["leader_phone"] == "+8613800138000"
    assert body["leader_email"] == "wang@example.com"
    assert body["members"] == ["李雷", "韩梅梅"]
    assert body["owner_id"] == world.team.id
    assert body["documents"] == []
    assert body["rounds"] == [
        {
            "round_id": world.preliminary.id,
            "name": "preliminary",
            "status": "in",
            "published": False,
        }
    ]
    entry = db.get(Entry, body["id"])
    assert entry is not None
    assert entry.founded_on.isoformat() == "2021-05-01"
    links = db.scalars(select(RoundEntry).where(RoundEntry.entry_id == entry.id)).all()
    assert [(r.round_id, r.status) for r in links] == [(world.preliminary.id, EntryStatus.in_)]
    log = db.scalars(select(AuditRecord).where(AuditRecord.action == "entry.create")).one()
    assert (log.actor_id, log.object_id, log.after["members"]) == (
        world.team.id,
        entry.id,
        ["李雷", "韩梅梅"],
    )


def test_create_entry_reports_every_bad_field_and_changes_nothing(
    client: TestClient, db: Session, world: World
) -> None:
    headers = factories.bearer(client, world.team)
    payload = startup_payload(
        title=" ",
        credit_code="91310000MA1FL4B24H",
        leader_phone="12345",
        leader_email="",
        company_name="",
    )

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/entries", json=payload, headers=headers
    )

    assert response.status_code == 422
    assert set(_errors(response)) == {"title", "leader_phone", "company_name", "credit_code"}
    assert "check character" in _errors(response)["credit_code"]
    assert db.scalars(select(Entry)).all() == []
    assert db.scalars(select(AuditRecord)).all() == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (creative_payload(company_name="某某公司"), "company_name"),
        (creative_payload(credit_code=STARTUP_CODE), "credit_code"),
        (startup_payload(credit_code="91310000MA1FL4B2"), "credit_code"),
        (startup_payload(credit_code="91310000MA1FL4B2IG"), "credit_code"),
        (startup_payload(track_code="nonsense"), "track_code"),
        (startup_payload(track_code=""), "track_code"),
        (startup_payload(founded_on="2999-01-01"), "founded_on"),
        (startup_payload(founded_on="yesterday"), "founded_on"),
        (startup_payload(video_url="ftp://x"), "video_url"),
        (startup_payload(leader_email="nobody"), "leader_email"),
        (startup_payload(members=["x" * 51]), "members.0"),
        (startup_payload(title="x" * 201), "title"),
    ],
)
def test_create_entry_refuses_ineligible_entry_naming_the_field(
    client: TestClient, db: Session, world: World, payload: dict[str, Any], field: str
) -> None:
    headers = factories.bearer(client, world.team)

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/entries", json=payload, headers=headers
    )

    assert response.status_code == 422
    assert field in _errors(response)
    assert db.scalars(select(Entry)).all() == []


def test_create_entry_refuses_company_older_than_track_limit(
    client: TestClient, db: Session, world: World
) -> None:
    world.startup.max_company_age_years = 3
    db.add(world.startup)
    db.commit()
    headers = factories.bearer(client, world.team)
    too_old = (utcnow().date() - timedelta(days=3 * 366 + 2)).isoformat()

    refused = client.post(
        f"/api/v1/contests/{world.contest.id}/entries",
        json=startup_payload(founded_on=too_old),
        headers=headers,
    )
    accepted = client.post(
        f"/api/v1/contests/{world.contest.id}/entries",
        json=startup_payload(founded_on=(utcnow().date() - timedelta(days=300)).isoformat()),
        headers=headers,
    )

    assert refused.status_code == 422
    assert list(_errors(refused)) == ["founded_on"]
    assert accepted.status_code == 201


def test_create_entry_refuses_duplicate_title_ignoring_case_and_spaces(
    client: TestClient, db: Session, world: World
) -> None:
    factories.entry(db, world.contest, world.creative, title="AI 辅助病理切片诊断")
    db.commit()
    headers = factories.bearer(client, world.team)

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/entries",
        json=creative_payload(title="ai辅助病理切片诊断"),
        headers=headers,
    )

    assert response.status_code == 422
    assert list(_errors(response)) == ["title"]
    assert len(db.scalars(select(Entry)).all()) == 1


def test_create_entry_same_title_in_another_contest_is_allowed(
    client: TestClient, db: Session, world: World
) -> None:
    other_track = factories.track(db, world.other_contest, "creative")
    factories.entry(db, world.other_contest, other_track, title="AI辅助病理切片诊断")
    db.commit()

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/entries",
        json=creative_payload(),
        headers=factories.bearer(client, world.team),
    )

    assert response.status_code == 201


def test_create_entry_second_entry_of_team_refused_unless_allowed(
    client: TestClient, db: Session, world: World
) -> None:
    headers = factories.bearer(client, world.team)
    url = f"/api/v1/contests/{world.contest.id}/entries"
    assert client.post(url, json=creative_payload(), headers=headers).status_code == 201

    second = client.post(url, json=startup_payload(), headers=headers)

    assert second.status_code == 422
    assert list(_errors(second)) == ["contest_id"]
    world.contest.max_entries_per_team = 2
    db.add(world.contest)
    db.commit()
    assert client.post(url, json=startup_payload(), headers=headers).status_code == 201
    assert len(db.scalars(select(Entry).where(Entry.owner_id == world.team.id)).all()) == 2


@pytest.mark.parametrize(
    "closing",
    [
        {"registration_closes_at": "past"},
        {"registration_opens_at": "future"},
        {"status": ContestStatus.judging},
    ],
)
def test_create_entry_after_registration_closed_is_409(
    client: TestClient, db: Session, world: World, closing: dict[str, Any]
) -> None:
    now = utcnow()
    values = {"past": now - timedelta(hours=1), "future": now + timedelta(hours=1)}
    for name, value in closing.items():
        setattr(world.contest, name, values.get(value, value))
    db.add(world.contest)
    db.commit()

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/entries",
        json=creative_payload(),
        headers=factories.bearer(client, world.team),
    )

    assert response.status_code == 409
    assert db.scalars(select(Entry)).all() == []


def test_create_entry_by_organiser_after_closing_has_no_owner(
    client: TestClient, db: Session, world: World
) -> None:
    world.contest.status = ContestStatus.judging
    db.add(world.contest)
    db.commit()

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/entries",
        json=creative_payload(),
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 201
    assert response.json()["owner_id"] is None


@pytest.mark.parametrize("who", ["judge", "other_organiser", "anonymous"])
def test_create_entry_refused_for_judges_strangers_and_anonymous(
    client: TestClient, db: Session, world: World, who: str
) -> None:
    people = {"judge": world.judge_users[0], "other_organiser": world.other_organiser}
    headers = factories.bearer(client, people[who]) if who in people else {}

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/entries", json=creative_payload(), headers=headers
    )

    assert response.status_code == {"judge": 403, "other_organiser": 404, "anonymous": 401}[who]
    assert db.scalars(select(Entry)).all() == []


def test_create_entry_in_draft_contest_is_404_for_team(
    client: TestClient, db: Session, world: World
) -> None:
    world.contest.status = ContestStatus.draft
    db.add(world.contest)
    db.commit()

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/entries",
        json=creative_payload(),
        headers=factories.bearer(client, world.team),
    )

    assert response.status_code == 404


def test_list_entries_team_sees_only_its_own_organiser_sees_all(
    client: TestClient, db: Session, world: World
) -> None:
    mine = factories.entry(db, world.contest, world.creative, owner=world.team)
    theirs = factories.entry(db, world.contest, world.creative, owner=world.other_team)
    imported = factories.entry(db, world.contest, world.startup)
    db.commit()
    url = f"/api/v1/contests/{world.contest.id}/entries"

    team = client.get(url, headers=factories.bearer(client, world.team)).json()
    organiser = client.get(url, headers=factories.bearer(client, world.organiser)).json()
    filtered = client.get(
        url, params={"track_code": "startup"}, headers=factories.bearer(client, world.organiser)
    ).json()

    assert [e["id"] for e in team] == [mine.id]
    assert [e["id"] for e in organiser] == [mine.id, theirs.id, imported.id]
    assert [e["id"] for e in filtered] == [imported.id]
    assert organiser[0]["members"] == ["张三", "李四"]


def test_list_entries_other_organiser_404_judge_403(
    client: TestClient, db: Session, world: World
) -> None:
    url = f"/api/v1/contests/{world.contest.id}/entries"

    other = client.get(url, headers=factories.bearer(client, world.other_organiser))
    judge = client.get(url, headers=factories.bearer(client, world.judge_users[0]))
    anonymous = client.get(url)

    assert (other.status_code, judge.status_code, anonymous.status_code) == (404, 403, 401)


def test_get_entry_by_role(client: TestClient, db: Session, world: World) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    factories.assign(db, world.preliminary, world.judges[0], entry)
    db.commit()
    url = f"/api/v1/entries/{entry.id}"
    codes = {}
    for name, person in {
        "team": world.team,
        "other_team": world.other_team,
        "assigned_judge": world.judge_users[0],
        "unassigned_judge": world.judge_users[1],
        "organiser": world.organiser,
        "other_organiser": world.other_organiser,
    }.items():
        codes[name] = client.get(url, headers=factories.bearer(client, person)).status_code

    assert codes == {
        "team": 200,
        "other_team": 404,
        "assigned_judge": 200,
        "unassigned_judge": 404,
        "organiser": 200,
        "other_organiser": 404,
    }
    assert client.get(url).status_code == 401


def test_get_entry_judge_does_not_see_contact_details_and_blind_hides_team(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    factories.assign(db, world.preliminary, world.judges[0], entry)
    world.preliminary.blind = True
    db.add(world.preliminary)
    db.commit()

    body = client.get(
        f"/api/v1/entries/{entry.id}", headers=factories.bearer(client, world.judge_users[0])
    ).json()

    assert (body["leader_email"], body["leader_phone"], body["owner_id"]) == (None, None, None)
    assert (body["members"], body["institution"], body["leader_name"]) == (None, None, None)
    assert (body["city"], body["company_name"], body["video_url"]) == (None, None, None)
    assert body["title"] == entry.title


def test_update_entry_by_team_changes_fields_and_audits_the_difference(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team, title="旧标题")
    db.commit()

    response = client.patch(
        f"/api/v1/entries/{entry.id}",
        json={"title": "新标题", "members": ["甲", "乙", "丙"], "leader_phone": "021 12345678"},
        headers=factories.bearer(client, world.team),
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["title"], body["leader_phone"]) == ("新标题", "+862112345678")
    db.expire_all()
    assert db.get(Entry, entry.id).title == "新标题"
    names = db.scalars(
        select(EntryMember.name)
        .where(EntryMember.entry_id == entry.id)
        .order_by(EntryMember.position)
    ).all()
    assert names == ["甲", "乙", "丙"]
    log = db.scalars(select(AuditRecord).where(AuditRecord.action == "entry.update")).one()
    assert log.before == {
        "title": "旧标题",
        "leader_phone": "+8613800138000",
        "members": ["张三", "李四"],
    }
    assert log.after == {
        "title": "新标题",
        "leader_phone": "+862112345678",
        "members": ["甲", "乙", "丙"],
    }


def test_update_entry_to_startup_track_requires_company(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    db.commit()

    response = client.patch(
        f"/api/v1/entries/{entry.id}",
        json={"track_code": "startup"},
        headers=factories.bearer(client, world.team),
    )

    assert response.status_code == 422
    assert set(_errors(response)) == {"company_name", "credit_code"}
    db.expire_all()
    assert db.get(Entry, entry.id).track_id == world.creative.id


def test_update_entry_after_closing_is_409_for_team_but_allowed_for_organiser(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team, title="原题")
    world.contest.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.add(world.contest)
    db.commit()
    url = f"/api/v1/entries/{entry.id}"

    team = client.patch(url, json={"title": "改题"}, headers=factories.bearer(client, world.team))
    organiser = client.patch(
        url,
        json={"title": "改题", "reason": "团队来函更正"},
        headers=factories.bearer(client, world.organiser),
    )

    assert team.status_code == 409
    assert organiser.status_code == 200
    log = db.scalars(select(AuditRecord).where(AuditRecord.action == "entry.update")).one()
    assert (log.actor_id, log.reason) == (world.organiser.id, "团队来函更正")


def test_update_entry_by_role(client: TestClient, db: Session, world: World) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team, title="原题")
    factories.assign(db, world.preliminary, world.judges[0], entry)
    db.commit()
    url = f"/api/v1/entries/{entry.id}"
    codes = {
        name: client.patch(
            url, json={"title": "改题"}, headers=factories.bearer(client, person)
        ).status_code
        for name, person in {
            "other_team": world.other_team,
            "assigned_judge": world.judge_users[0],
            "unassigned_judge": world.judge_users[1],
            "other_organiser": world.other_organiser,
        }.items()
    }

    assert codes == {
        "other_team": 404,
        "assigned_judge": 403,
        "unassigned_judge": 404,
        "other_organiser": 404,
    }
    db.expire_all()
    assert db.get(Entry, entry.id).title == "原题"


def test_withdraw_entry_marks_rounds_withdrawn_and_blocks_changes(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(
        db, world.contest, world.creative, owner=world.team, rounds=(world.preliminary,)
    )
    db.commit()
    headers = factories.bearer(client, world.team)

    response = client.post(
        f"/api/v1/entries/{entry.id}/withdraw", json={"reason": "团队解散"}, headers=headers
    )
    again = client.post(f"/api/v1/entries/{entry.id}/withdraw", headers=headers)
    change = client.patch(f"/api/v1/entries/{entry.id}", json={"title": "x"}, headers=headers)

    assert response.status_code == 200
    assert response.json()["withdrawn"] is True
    assert response.json()["rounds"][0]["status"] == "withdrawn"
    assert (again.status_code, change.status_code) == (409, 409)
    db.expire_all()
    assert db.get(Entry, entry.id).withdrawn_at is not None
    link = db.scalars(select(RoundEntry).where(RoundEntry.entry_id == entry.id)).one()
    assert link.status == EntryStatus.withdrawn
    log = db.scalars(select(AuditRecord).where(AuditRecord.action == "entry.withdraw")).one()
    assert log.reason == "团队解散"


def test_withdraw_entry_by_other_team_is_404(client: TestClient, db: Session, world: World) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    db.commit()

    response = client.post(
        f"/api/v1/entries/{entry.id}/withdraw", headers=factories.bearer(client, world.other_team)
    )

    assert response.status_code == 404
    db.expire_all()
    assert db.get(Entry, entry.id).withdrawn_at is None


def test_team_sees_round_outcome_only_once_published(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    factories.enrol(db, world.preliminary, entry, EntryStatus.eliminated)
    db.commit()
    url = f"/api/v1/entries/{entry.id}"

    before = client.get(url, headers=factories.bearer(client, world.team)).json()["rounds"]
    organiser = client.get(url, headers=factories.bearer(client, world.organiser)).json()["rounds"]
    db.add(Advancement(round_id=world.preliminary.id, published_at=utcnow()))
    db.commit()
    after = client.get(url, headers=factories.bearer(client, world.team)).json()["rounds"]

    assert [(r["status"], r["published"]) for r in before] == [("in", False)]
    assert [r["status"] for r in organiser] == ["eliminated"]
    assert [(r["status"], r["published"]) for r in after] == [("eliminated", True)]


def test_add_first_round_enrols_existing_entries(
    client: TestClient, db: Session, world: World
) -> None:
    organiser = factories.user(db, Role.organiser)
    contest = factories.contest(db, organiser)
    track = factories.track(db, contest, "creative")
    active = factories.entry(db, contest, track)
    gone = factories.entry(db, contest, track, withdrawn_at=utcnow())
    db.commit()
    headers = factories.bearer(client, organiser)

    first = client.post(
        f"/api/v1/contests/{contest.id}/rounds",
        json={"name": "初赛", "kind": RoundKind.preliminary, "order": 1},
        headers=headers,
    )
    second = client.post(
        f"/api/v1/contests/{contest.id}/rounds",
        json={"name": "复赛", "kind": RoundKind.semifinal, "order": 2},
        headers=headers,
    )

    assert (first.status_code, second.status_code) == (201, 201)
    links = db.execute(select(RoundEntry.entry_id, RoundEntry.round_id)).all()
    assert links == [(active.id, first.json()["id"])]
    assert gone.id != active.id


def test_create_entry_after_a_round_opened_sealed_for_teams(client, db, world, round_opened):
    url = f"/api/v1/contests/{world.contest.id}/entries"

    team = factories.bearer(client, world.team)

    response = client.post(url, json=creative_payload(), headers=team)

    assert response.status_code == 409
    assert read(db, select(Entry.id).where(Entry.contest_id == world.contest.id)) == []


def test_create_entry_late_by_organiser_needs_a_reason(client, db, world, round_opened):
    url = f"/api/v1/contests/{world.contest.id}/entries"
    auth = factories.bearer(client, world.organiser)

    missing = client.post(url, json=creative_payload(), headers=auth)
    body = {**creative_payload(), "late_reason": "评审委员会同意补录"}
    late = client.post(url, json=body, headers=auth)

    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"][-1] == "late_reason"
    assert late.status_code == 201
    rounds = read(db, select(RoundEntry.round_id).where(RoundEntry.entry_id == late.json()["id"]))
    assert rounds == [(world.preliminary.id,)]
    late_records = select(AuditRecord.action, AuditRecord.reason).where(
        AuditRecord.action == "entry.late_create"
    )
    records = read(db, late_records)
    assert records == [("entry.late_create", "评审委员会同意补录")]
