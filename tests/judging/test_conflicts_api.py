"""Conflicts through the API: families, companies, declarations, exceptions, the list."""

from collections import Counter

import pytest
from sqlalchemy import select

from contest.models import Assignment, AuditRecord, InstitutionFamily
from tests import factories
from tests.judging_setup import read


@pytest.fixture(autouse=True)
def english(client) -> None:  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"


@pytest.fixture
def organiser(client, world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return factories.bearer(client, world.organiser)


def _assign_url(world: factories.World) -> str:
    return f"/api/v1/rounds/{world.preliminary.id}/assignments"


def _conflicts(client, world, organiser) -> list[dict]:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/rounds/{world.preliminary.id}/conflicts", headers=organiser)
    assert response.status_code == 200, response.text
    return response.json()


def test_hospital_judge_cannot_be_assigned_to_its_university(client, db, world, organiser):
    world.judges[0].institution = "复旦大学附属中山医院"
    entry = factories.entry(
        db, world.contest, world.startup, institution="复旦大学", rounds=(world.preliminary,)
    )
    db.commit()

    response = client.post(
        _assign_url(world),
        json={"judge_id": world.judges[0].id, "entry_id": entry.id},
        headers=organiser,
    )

    assert response.status_code == 409
    assert "复旦大学附属中山医院" in response.json()["detail"]
    assert "family" in response.json()["detail"]
    assert read(db, select(Assignment.id)) == []


def test_company_judge_cannot_be_assigned_to_the_company_entry(client, db, world, organiser):
    world.judges[1].institution = "数字科技有限公司"
    entry = factories.entry(
        db,
        world.contest,
        world.startup,
        institution="某大学",
        company_name="数字科技（集团）股份有限公司",
        rounds=(world.preliminary,),
    )
    db.commit()

    response = client.post(
        _assign_url(world),
        json={"judge_id": world.judges[1].id, "entry_id": entry.id},
        headers=organiser,
    )

    assert response.status_code == 409
    assert "Same institution" in response.json()["detail"]


def test_judge_added_with_companies_conflicts_by_credit_code(client, db, world, organiser):
    code = "91310000MA1FL4C54X"
    entry = factories.entry(
        db,
        world.contest,
        world.startup,
        institution="某大学",
        company_name="别的名字",
        credit_code=code,
        rounds=(world.preliminary,),
    )
    db.commit()
    added = client.post(
        f"/api/v1/contests/{world.contest.id}/judges",
        json={
            "email": "investor-judge@example.com",
            "name": "投资人",
            "password": "a-long-password-1",
            "institution": "某资本",
            "affiliations": ["某研究院"],
            "companies": [{"name": "某持股公司", "credit_code": code.lower()}],
        },
        headers=organiser,
    )
    assert added.status_code == 201, added.text
    assert added.json()["affiliations"] == ["某研究院"]
    assert added.json()["companies"] == [{"name": "某持股公司", "credit_code": code.lower()}]

    lines = _conflicts(client, world, organiser)

    assert [(c["judge_id"], c["entry_id"], c["kind"]) for c in lines] == [
        (added.json()["id"], entry.id, "credit_code")
    ]


def test_auto_assign_avoids_families(client, db, world, organiser):
    world.preliminary.judges_per_entry = 1
    world.judges[0].institution = "复旦大学附属中山医院"
    world.judges[1].institution = "复旦大学上海医学院"
    entries = [
        factories.entry(
            db, world.contest, world.startup, institution="复旦大学", rounds=(world.preliminary,)
        )
        for _ in range(3)
    ]
    db.commit()

    response = client.post(_assign_url(world) + "/auto", json={"seed": 3}, headers=organiser)

    assert response.status_code == 200, response.text
    pairs = read(db, select(Assignment.judge_id, Assignment.entry_id))
    assert Counter(e for _j, e in pairs) == {e.id: 1 for e in entries}
    assert {j for j, _e in pairs} == {world.judges[2].id}


def test_organiser_family_then_exception(client, db, world, organiser):
    world.judges[0].institution = "瑞金医院"
    entry = factories.entry(
        db, world.contest, world.startup, institution="上海交通大学", rounds=(world.preliminary,)
    )
    db.commit()
    assert _conflicts(client, world, organiser) == []

    family = client.post(
        f"/api/v1/contests/{world.contest.id}/institution-families",
        json={"members": ["上海交通大学医学院附属瑞金医院", "瑞金医院"]},
        headers=organiser,
    )
    assert family.status_code == 201, family.text
    assert family.json()["members"] == ["上海交通大学医学院附属瑞金医院", "瑞金医院"]
    [line] = _conflicts(client, world, organiser)
    assert (line["judge_id"], line["entry_id"], line["kind"]) == (
        world.judges[0].id,
        entry.id,
        "same_family",
    )
    assert line["exception"] is None
    pair = {"judge_id": world.judges[0].id, "entry_id": entry.id}
    refused = client.post(_assign_url(world), json=pair, headers=organiser)
    assert refused.status_code == 409

    waived = client.post(
        f"/api/v1/contests/{world.contest.id}/conflict-exceptions",
        json={**pair, "reason": "不同院区，无利益关系"},
        headers=organiser,
    )

    assert waived.status_code == 201, waived.text
    [line] = _conflicts(client, world, organiser)
    assert line["exception"] == "不同院区，无利益关系"
    assert client.post(_assign_url(world), json=pair, headers=organiser).status_code == 201
    actions = [a for (a,) in read(db, select(AuditRecord.action))]
    assert {"family.add", "conflict.exception", "assignment.add"} <= set(actions)


def test_exception_refused_without_conflict_or_for_declared(client, db, world, organiser):
    entry = factories.entry(
        db, world.contest, world.startup, institution="别处", rounds=(world.preliminary,)
    )
    db.commit()
    url = f"/api/v1/contests/{world.contest.id}/conflict-exceptions"
    pair = {"judge_id": world.judges[0].id, "entry_id": entry.id, "reason": "x"}

    none = client.post(url, json=pair, headers=organiser)
    client.post(
        f"/api/v1/judges/{world.judges[0].id}/conflicts",
        json={"entry_id": entry.id, "reason": "亲属"},
        headers=organiser,
    )
    declared = client.post(url, json=pair, headers=organiser)

    assert (none.status_code, declared.status_code) == (409, 409)
    assert "declared" in declared.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [{"members": ["只有一个"]}, {"members": []}, {"members": ["a" * 201, "b"]}, {"x": 1}],
)
def test_family_bad_input_422(client, world, organiser, body):
    response = client.post(
        f"/api/v1/contests/{world.contest.id}/institution-families", json=body, headers=organiser
    )

    assert response.status_code == 422


def test_conflict_routes_are_the_organisers(client, world):
    judge = factories.bearer(client, world.judge_users[0])
    other = factories.bearer(client, world.other_organiser)

    assert _get(client, f"/api/v1/rounds/{world.preliminary.id}/conflicts", judge) == 403
    assert _get(client, f"/api/v1/rounds/{world.preliminary.id}/conflicts", other) == 404
    families = f"/api/v1/contests/{world.contest.id}/institution-families"
    assert _get(client, families, other) == 404


def _get(client, url: str, headers: dict[str, str]) -> int:  # type: ignore[no-untyped-def]
    return int(client.get(url, headers=headers).status_code)


def test_organiser_removes_a_family_and_the_conflict_goes(client, db, world, organiser):
    world.judges[0].institution = "瑞金医院"
    entry = factories.entry(
        db, world.contest, world.startup, institution="上海交通大学", rounds=(world.preliminary,)
    )
    db.commit()
    url = f"/api/v1/contests/{world.contest.id}/institution-families"
    family = client.post(url, json={"members": ["上海交通大学", "瑞金医院"]}, headers=organiser)
    family_id = family.json()["id"]
    assert len(_conflicts(client, world, organiser)) == 1

    removed = client.delete(f"{url}/{family_id}", headers=organiser)
    again = client.delete(f"{url}/{family_id}", headers=organiser)
    pair = {"judge_id": world.judges[0].id, "entry_id": entry.id}
    assigned = client.post(_assign_url(world), json=pair, headers=organiser)

    assert (removed.status_code, again.status_code) == (204, 404)
    assert _conflicts(client, world, organiser) == []
    assert client.get(url, headers=organiser).json() == []
    assert assigned.status_code == 201
    record = db.scalars(select(AuditRecord).where(AuditRecord.action == "family.remove")).one()
    assert record.before == {"members": ["上海交通大学", "瑞金医院"]}
    assert record.actor_id == world.organiser.id


def test_a_family_of_another_contest_cannot_be_removed(client, db, world, organiser):
    theirs = InstitutionFamily(contest_id=world.other_contest.id, members=["甲大学", "乙医院"])
    db.add(theirs)
    db.commit()
    other = factories.bearer(client, world.other_organiser)

    through_ours = client.delete(
        f"/api/v1/contests/{world.contest.id}/institution-families/{theirs.id}", headers=organiser
    )
    ours = InstitutionFamily(contest_id=world.contest.id, members=["丙大学", "丁医院"])
    db.add(ours)
    db.commit()
    by_other = client.delete(
        f"/api/v1/contests/{world.contest.id}/institution-families/{ours.id}", headers=other
    )

    assert (through_ours.status_code, by_other.status_code) == (404, 404)
    db.expire_all()
    assert db.get(InstitutionFamily, theirs.id) is not None
    assert db.get(InstitutionFamily, ours.id) is not None
