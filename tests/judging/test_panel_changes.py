"""Judges edited, deactivated, reactivated and removed once judging has begun: their
unsubmitted work goes to other eligible judges, submitted sheets stay."""

import pytest
from sqlalchemy import select

from contest.models import Assignment, AuditRecord, Judge, ScoreSheet
from tests import factories
from tests.judging_setup import arrange_scoring, read


@pytest.fixture(autouse=True)
def english(client) -> None:  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"


@pytest.fixture
def organiser(client, world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return factories.bearer(client, world.organiser)


def _judges_of(db, entry_id: int) -> set[int]:  # type: ignore[no-untyped-def]
    rows = read(db, select(Assignment.judge_id).where(Assignment.entry_id == entry_id))
    return {judge_id for (judge_id,) in rows}


def _one_draft_one_submitted(db, world):  # type: ignore[no-untyped-def]
    """judges[0] holds entries[0] with a draft and entries[1] submitted; judges[1] shares
    the first university with entries[0], so only judges[2] may take it over."""
    scoring = arrange_scoring(db, world)
    first, second = scoring.entries[0], scoring.entries[1]
    factories.sheet(db, world.preliminary, world.judges[0], first, [100], submitted=False)
    factories.sheet(db, world.preliminary, world.judges[0], second, [275, 200, 155, 120, 81])
    world.judges[1].institution = first.institution
    db.commit()
    return first, second


def test_deactivated_judge_hands_over_unsubmitted_work_and_keeps_submitted(
    client, db, world, organiser
):
    first, second = _one_draft_one_submitted(db, world)
    judge = world.judges[0]

    response = client.post(
        f"/api/v1/judges/{judge.id}/deactivate", json={"reason": "出国"}, headers=organiser
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["active"] is False
    assert body["released"] == [
        {"round_id": world.preliminary.id, "entry_id": first.id,
         "replacement_judge_id": world.judges[2].id}
    ]  # fmt: skip
    assert _judges_of(db, first.id) == {world.judges[2].id}  # not the conflicted judges[1]
    assert _judges_of(db, second.id) == {judge.id}
    sheets = read(db, select(ScoreSheet.entry_id, ScoreSheet.state).where(
        ScoreSheet.judge_id == judge.id))  # fmt: skip
    assert [(e, str(s)) for e, s in sheets] == [(second.id, "submitted")]
    actions = [a for (a,) in read(db, select(AuditRecord.action))]
    assert "judge.deactivate" in actions
    assert "assignment.release" in actions


def test_deactivated_judge_gets_no_new_assignment(client, db, world, organiser):
    scoring = arrange_scoring(db, world)
    judge = world.judges[1]
    client.post(f"/api/v1/judges/{judge.id}/deactivate", headers=organiser)

    response = client.post(
        f"/api/v1/rounds/{world.preliminary.id}/assignments",
        json={"judge_id": judge.id, "entry_id": scoring.entries[2].id},
        headers=organiser,
    )
    auto = client.post(
        f"/api/v1/rounds/{world.preliminary.id}/assignments/auto",
        json={"seed": 1},
        headers=organiser,
    )

    assert response.status_code == 409
    assert "deactivated" in response.json()["detail"]
    assert auto.status_code in (200, 409)
    assert judge.id not in {j for (j,) in read(db, select(Assignment.judge_id))}


def test_reactivated_judge_can_be_assigned_again(client, db, world, organiser):
    scoring = arrange_scoring(db, world)
    judge = world.judges[1]
    client.post(f"/api/v1/judges/{judge.id}/deactivate", headers=organiser)

    back = client.post(f"/api/v1/judges/{judge.id}/reactivate", headers=organiser)
    response = client.post(
        f"/api/v1/rounds/{world.preliminary.id}/assignments",
        json={"judge_id": judge.id, "entry_id": scoring.entries[2].id},
        headers=organiser,
    )

    assert back.json()["active"] is True
    assert response.status_code == 201, response.text


def test_judge_with_a_submitted_sheet_cannot_be_removed(client, db, world, organiser):
    _one_draft_one_submitted(db, world)

    response = client.delete(f"/api/v1/judges/{world.judges[0].id}", headers=organiser)

    assert response.status_code == 409
    assert "deactivate" in response.json()["detail"]
    assert read(db, select(Judge.id).where(Judge.id == world.judges[0].id))


def test_removed_judge_leaves_the_panel_and_their_entries_move(client, db, world, organiser):
    scoring = arrange_scoring(db, world)
    judge_id = world.judges[0].id
    entry_ids = [entry.id for entry in scoring.entries[:2]]

    response = client.delete(f"/api/v1/judges/{judge_id}?reason=重复账号", headers=organiser)

    assert response.status_code == 200, response.text
    assert len(response.json()["released"]) == 2
    panel = client.get(f"/api/v1/contests/{world.contest.id}/judges", headers=organiser).json()
    assert judge_id not in {j["id"] for j in panel}
    for entry_id in entry_ids:
        assert _judges_of(db, entry_id)
        assert judge_id not in _judges_of(db, entry_id)
    removed = read(db, select(AuditRecord.reason).where(AuditRecord.action == "judge.remove"))
    assert removed == [("重复账号",)]


def test_judge_details_are_edited(client, db, world, organiser):
    judge = world.judges[0]

    response = client.patch(
        f"/api/v1/judges/{judge.id}",
        json={"name": "王教授", "title": "教授", "expertise": ["医疗器械", "AI"]},
        headers=organiser,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["title"]) == ("王教授", "教授")
    assert body["expertise"] == ["医疗器械", "AI"]
    assert body["institution"] == "机构1"  # omitted: unchanged
    assert read(db, select(AuditRecord.action).where(AuditRecord.action == "judge.update"))


@pytest.mark.parametrize("body", [{"name": ""}, {"name": None}, {"title": "x" * 101}])
def test_bad_judge_details_are_refused_naming_the_field(client, world, organiser, body):
    response = client.patch(f"/api/v1/judges/{world.judges[0].id}", json=body, headers=organiser)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == next(iter(body))


def test_a_new_institution_releases_the_entries_it_conflicts_with(client, db, world, organiser):
    scoring = arrange_scoring(db, world)
    judge = world.judges[0]

    response = client.patch(
        f"/api/v1/judges/{judge.id}",
        json={"institution": scoring.entries[0].institution},
        headers=organiser,
    )

    assert [r["entry_id"] for r in response.json()["released"]] == [scoring.entries[0].id]
    assert judge.id not in _judges_of(db, scoring.entries[0].id)
    assert judge.id in _judges_of(db, scoring.entries[1].id)


def test_organiser_edits_deactivates_and_removes_on_the_page(client, db, world):
    scoring = arrange_scoring(db, world)
    factories.login(client, world.organiser)
    judge, other = world.judges[0], world.judges[1]
    first_id = scoring.entries[0].id

    page = client.get(f"/manage/judges/{judge.id}")
    edited = client.post(
        f"/manage/judges/{judge.id}",
        data=factories.form(client, {"name": "李研究员", "institution": "机构1",
                                     "title": "研究员", "expertise": "药学；AI"}),
        follow_redirects=False,
    )  # fmt: skip
    deactivated = client.post(
        f"/manage/judges/{judge.id}/deactivate",
        data=factories.form(client, {"reason": "病假"}),
        follow_redirects=False,
    )
    removed = client.post(
        f"/manage/judges/{other.id}/remove", data=factories.form(client), follow_redirects=False
    )
    panel = client.get(f"/manage/contests/{world.contest.id}/judges")

    assert page.status_code == 200
    assert "data-confirm" in page.text
    assert edited.status_code == 303
    assert deactivated.status_code == 303
    assert removed.status_code == 303
    assert "李研究员" in panel.text
    assert "Deactivated" in panel.text
    assert "评委2" not in panel.text
    assert judge.id not in _judges_of(db, first_id)


def test_page_refuses_to_remove_a_judge_with_submitted_sheets(client, db, world):
    _one_draft_one_submitted(db, world)
    factories.login(client, world.organiser)

    response = client.post(
        f"/manage/judges/{world.judges[0].id}/remove", data=factories.form(client)
    )

    assert response.status_code == 409
    assert "deactivate the judge instead" in response.text


def test_a_judge_on_another_contests_panel_is_not_renamed_for_it(client, db, world, organiser):
    judge = world.judges[0]
    factories.judge(db, world.other_contest, account=world.judge_users[0], institution="机构1")
    db.commit()

    renamed = client.patch(f"/api/v1/judges/{judge.id}", json={"name": "改名"}, headers=organiser)
    edited = client.patch(f"/api/v1/judges/{judge.id}", json={"title": "教授"}, headers=organiser)

    assert renamed.status_code == 422
    assert renamed.json()["detail"][0]["loc"][-1] == "name"
    assert edited.status_code == 200
    db.expire_all()
    assert db.get(type(world.judge_users[0]), world.judge_users[0].id).name == "评委1"
