"""A judge's own declarations: affiliations, companies, conflicts; effect at once."""

import pytest
from sqlalchemy import select

from contest.models import Assignment, AuditRecord, Judge
from tests import factories
from tests.judging_setup import read


@pytest.fixture(autouse=True)
def english(client) -> None:  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"


def _url(world: factories.World) -> str:
    return f"/api/v1/me/declarations?contest_id={world.contest.id}"


def test_declarations_round_trip_and_audit(client, db, world):
    judge = factories.bearer(client, world.judge_users[0])
    body = {
        "affiliations": ["复旦大学附属中山医院"],
        "companies": [{"name": "数字科技有限公司", "credit_code": "91310000MA1FL4C54X"}],
        "conflicts": [{"institution": "秘密大学", "reason": "前雇主"}],
    }

    saved = client.put(_url(world), json=body, headers=judge)
    again = client.get(_url(world), headers=judge)

    assert saved.status_code == 200, saved.text
    assert saved.json()["affiliations"] == ["复旦大学附属中山医院"]
    assert saved.json()["companies"] == body["companies"]
    assert saved.json()["conflicts"] == [
        {"institution": "秘密大学", "credit_code": "", "entry_id": None, "reason": "前雇主"}
    ]
    assert saved.json()["declared_at"] is not None
    assert again.json() == {**saved.json(), "released": []}
    [(action, after)] = read(
        db,
        select(AuditRecord.action, AuditRecord.after).where(
            AuditRecord.action == "judge.declarations"
        ),
    )
    assert after["affiliations"] == ["复旦大学附属中山医院"]


def test_declaration_moves_unsubmitted_assignments_and_keeps_submitted(client, db, world):
    world.preliminary.judges_per_entry = 1
    draft_entry = factories.entry(
        db, world.contest, world.startup, institution="复旦大学", rounds=(world.preliminary,)
    )
    done_entry = factories.entry(
        db,
        world.contest,
        world.startup,
        institution="x",
        company_name="数字科技（集团）有限公司",
        rounds=(world.preliminary,),
    )
    other = factories.entry(
        db, world.contest, world.startup, institution="别处", rounds=(world.preliminary,)
    )
    factories.criteria(db, world.preliminary)
    for entry in (draft_entry, done_entry, other):
        factories.assign(db, world.preliminary, world.judges[0], entry)
    factories.sheet(db, world.preliminary, world.judges[0], draft_entry, [100], submitted=False)
    factories.sheet(db, world.preliminary, world.judges[0], done_entry, [100], submitted=True)
    db.commit()

    response = client.put(
        _url(world),
        json={"affiliations": ["复旦大学上海医学院"], "companies": [{"name": "数字科技"}]},
        headers=factories.bearer(client, world.judge_users[0]),
    )

    assert response.status_code == 200, response.text
    [moved] = response.json()["released"]
    assert moved["entry_id"] == draft_entry.id
    assert moved["replacement_judge_id"] in {world.judges[1].id, world.judges[2].id}
    pairs = set(read(db, select(Assignment.judge_id, Assignment.entry_id)))
    assert (world.judges[0].id, draft_entry.id) not in pairs
    assert (world.judges[0].id, done_entry.id) in pairs  # submitted: the organiser decides
    assert (world.judges[0].id, other.id) in pairs
    assert (moved["replacement_judge_id"], draft_entry.id) in pairs


def test_entry_conflict_declared_and_kept(client, db, world):
    entry = factories.entry(db, world.contest, world.startup, rounds=(world.preliminary,))
    db.commit()
    judge = factories.bearer(client, world.judge_users[1])

    first = client.put(
        _url(world), json={"conflicts": [{"entry_id": entry.id, "reason": "亲属"}]}, headers=judge
    )
    second = client.put(_url(world), json={}, headers=judge)

    assert first.status_code == 200, first.text
    assert [c["entry_id"] for c in second.json()["conflicts"]] == [entry.id]
    organiser = factories.bearer(client, world.organiser)
    lines = client.get(f"/api/v1/rounds/{world.preliminary.id}/conflicts", headers=organiser)
    assert [(c["judge_id"], c["kind"]) for c in lines.json()] == [
        (world.judges[1].id, "declared_entry")
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"conflicts": [{"reason": "x"}]}, "conflicts.0"),
        ({"conflicts": [{"institution": "甲", "reason": ""}]}, "conflicts.0.reason"),
        ({"conflicts": [{"entry_id": 999999, "reason": "x"}]}, "conflicts.0.entry_id"),
        ({"affiliations": ["a" * 201]}, "affiliations.0"),
        ({"companies": [{"credit_code": "x"}]}, "companies.0.name"),
        ({"affiliations": "甲"}, "affiliations"),
    ],
)
def test_bad_declarations_422_name_the_field_and_change_nothing(client, db, world, body, field):
    response = client.put(
        _url(world), json=body, headers=factories.bearer(client, world.judge_users[0])
    )

    assert response.status_code == 422
    fields = [".".join(str(p) for p in e["loc"] if p != "body") for e in response.json()["detail"]]
    assert field in fields
    [(declared_at,)] = read(
        db, select(Judge.declared_at).where(Judge.id == world.judges[0].id)
    )
    assert declared_at is None


def test_judge_of_another_contest_404_and_organiser_403(client, world):
    url = f"/api/v1/me/declarations?contest_id={world.other_contest.id}"

    judge = client.get(url, headers=factories.bearer(client, world.judge_users[0]))
    organiser = client.put(_url(world), json={}, headers=factories.bearer(client, world.organiser))

    assert (judge.status_code, organiser.status_code) == (404, 403)
