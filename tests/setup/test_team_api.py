"""A contest's organiser team over the API: the owner adds co-organisers and viewers; a
viewer reads everything and changes nothing; removing someone ends their access."""

import pytest
from sqlalchemy import select

from contest.core.enums import Role
from contest.models import AuditRecord, Contest, User
from tests import factories


@pytest.fixture
def owner(client, world):
    return factories.bearer(client, world.organiser)


def colleague(db, email: str) -> User:
    account = factories.user(db, Role.organiser, email=email, name="监督员")
    db.commit()
    return account


def add(client, world, headers, email: str, role: str):
    return client.post(
        f"/api/v1/contests/{world.contest.id}/organisers",
        json={"email": email, "role": role},
        headers=headers,
    )


def test_the_owner_adds_a_viewer_and_the_team_lists_it(client, db, world, owner) -> None:
    viewer = colleague(db, "supervisor@example.com")

    added = add(client, world, owner, " Supervisor@Example.com ", "viewer")
    listed = client.get(f"/api/v1/contests/{world.contest.id}/organisers", headers=owner)

    assert added.status_code == 201, added.text
    assert added.json()["user_id"] == viewer.id
    assert added.json()["role"] == "viewer"
    assert added.json()["owner"] is False
    assert [(m["email"], m["role"], m["owner"]) for m in listed.json()] == [
        ("organiser@example.com", "organiser", True),
        ("supervisor@example.com", "viewer", False),
    ]
    record = db.scalars(select(AuditRecord).where(AuditRecord.action == "team.add")).one()
    assert record.contest_id == world.contest.id
    assert record.after == {"user_id": viewer.id, "email": viewer.email, "role": "viewer"}


def test_a_viewer_reads_what_an_organiser_reads(client, db, world, owner) -> None:
    viewer = colleague(db, "supervisor@example.com")
    add(client, world, owner, viewer.email, "viewer")
    headers = factories.bearer(client, viewer)

    for url in (
        f"/api/v1/contests/{world.contest.id}",
        f"/api/v1/contests/{world.contest.id}/rounds",
        f"/api/v1/contests/{world.contest.id}/entries",
        f"/api/v1/contests/{world.contest.id}/judges",
        f"/api/v1/contests/{world.contest.id}/audit",
        f"/api/v1/contests/{world.contest.id}/organisers",
        f"/api/v1/rounds/{world.preliminary.id}/results",
    ):
        assert client.get(url, headers=headers).status_code == 200, url
    listed = client.get("/api/v1/contests", headers=headers).json()
    assert [c["id"] for c in listed] == [world.contest.id]


def test_a_viewer_changes_nothing(client, db, world, owner) -> None:
    viewer = colleague(db, "supervisor@example.com")
    add(client, world, owner, viewer.email, "viewer")
    headers = factories.bearer(client, viewer)
    contest = world.contest.id

    renamed = client.patch(f"/api/v1/contests/{contest}", json={"name": "改名"}, headers=headers)
    track = client.post(f"/api/v1/contests/{contest}/tracks",
                        json={"code": "x", "name": "新组"}, headers=headers)
    closed = client.post(f"/api/v1/rounds/{world.preliminary.id}/close", headers=headers)
    invited = add(client, world, headers, "someone@example.com", "viewer")

    for response in (renamed, track, closed, invited):
        assert response.status_code == 403, response.text
    assert "只读" in renamed.json()["detail"]
    db.expire_all()
    assert db.get(Contest, contest).name == world.contest.name


def test_a_viewer_is_refused_before_the_body_is_read(client, db, world, owner) -> None:
    viewer = colleague(db, "supervisor@example.com")
    add(client, world, owner, viewer.email, "viewer")
    headers = factories.bearer(client, viewer)

    response = client.patch(f"/api/v1/contests/{world.contest.id}", json={"year": "x"},
                            headers=headers)

    assert response.status_code == 403


def test_a_viewer_page_form_is_refused(client, db, world, owner) -> None:
    viewer = colleague(db, "supervisor@example.com")
    add(client, world, owner, viewer.email, "viewer")
    factories.login(client, viewer)

    response = client.post(
        f"/manage/contests/{world.contest.id}/edit",
        data=factories.form(client, {"name": "改名", "year": "2023"}),
        follow_redirects=False,
    )

    assert response.status_code == 403


def test_a_co_organiser_changes_things_but_not_the_team(client, db, world, owner) -> None:
    second = colleague(db, "second@example.com")
    third = colleague(db, "third@example.com")
    assert add(client, world, owner, second.email, "organiser").status_code == 201
    headers = factories.bearer(client, second)

    renamed = client.patch(f"/api/v1/contests/{world.contest.id}", json={"name": "新名字"},
                           headers=headers)
    listed = client.get(f"/api/v1/contests/{world.contest.id}/organisers", headers=headers)
    invited = add(client, world, headers, third.email, "viewer")
    removed = client.delete(
        f"/api/v1/contests/{world.contest.id}/organisers/{world.organiser.id}", headers=headers
    )

    assert renamed.status_code == 200
    assert listed.status_code == 200
    assert invited.status_code == 403
    assert removed.status_code == 403
    assert "负责人" in invited.json()["detail"]


def test_removing_someone_ends_their_access_at_once(client, db, world, owner) -> None:
    viewer = colleague(db, "supervisor@example.com")
    add(client, world, owner, viewer.email, "viewer")
    headers = factories.bearer(client, viewer)
    url = f"/api/v1/contests/{world.contest.id}"
    assert client.get(url, headers=headers).status_code == 200

    removed = client.delete(f"{url}/organisers/{viewer.id}", headers=owner)

    assert removed.status_code == 204
    assert client.get(url, headers=headers).status_code == 404
    record = db.scalars(select(AuditRecord).where(AuditRecord.action == "team.remove")).one()
    assert record.before == {"user_id": viewer.id, "email": viewer.email, "role": "viewer"}


def test_a_co_organiser_removed_can_no_longer_write(client, db, world, owner) -> None:
    second = colleague(db, "second@example.com")
    add(client, world, owner, second.email, "organiser")
    headers = factories.bearer(client, second)

    client.delete(f"/api/v1/contests/{world.contest.id}/organisers/{second.id}", headers=owner)
    renamed = client.patch(f"/api/v1/contests/{world.contest.id}", json={"name": "新名字"},
                           headers=headers)

    assert renamed.status_code == 404


@pytest.mark.parametrize("email", ["nobody@example.com", "team@example.com"])
def test_only_an_existing_organiser_account_can_join(client, world, owner, email) -> None:
    response = add(client, world, owner, email, "viewer")

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"][-1] == "email"
    assert "组委会账号" in error["msg"]


def test_bad_input_names_the_field(client, world, owner) -> None:
    bad_role = add(client, world, owner, "x@example.com", "owner")
    bad_email = add(client, world, owner, "not an address", "viewer")

    assert bad_role.status_code == 422
    assert bad_role.json()["detail"][0]["loc"][-1] == "role"
    assert bad_email.status_code == 422
    assert bad_email.json()["detail"][0]["loc"][-1] == "email"


def test_team_conflicts(client, db, world, owner) -> None:
    viewer = colleague(db, "supervisor@example.com")
    add(client, world, owner, viewer.email, "viewer")
    base = f"/api/v1/contests/{world.contest.id}/organisers"

    again = add(client, world, owner, viewer.email, "organiser")
    owner_removed = client.delete(f"{base}/{world.organiser.id}", headers=owner)
    stranger = client.delete(f"{base}/{world.other_organiser.id}", headers=owner)

    assert again.status_code == 409
    assert owner_removed.status_code == 409
    assert stranger.status_code == 404


def test_another_contests_organiser_sees_no_team(client, world) -> None:
    headers = factories.bearer(client, world.other_organiser)
    base = f"/api/v1/contests/{world.contest.id}/organisers"

    assert client.get(base, headers=headers).status_code == 404
    assert add(client, world, headers, "x@example.com", "viewer").status_code == 404
    assert client.delete(f"{base}/{world.organiser.id}", headers=headers).status_code == 404


def test_a_viewer_here_is_a_full_organiser_of_their_own_contest(client, db, world, owner) -> None:
    add(client, world, owner, world.other_organiser.email, "viewer")
    headers = factories.bearer(client, world.other_organiser)

    own = client.patch(f"/api/v1/contests/{world.other_contest.id}", json={"name": "自己的"},
                       headers=headers)
    here = client.patch(f"/api/v1/contests/{world.contest.id}", json={"name": "别人的"},
                        headers=headers)

    assert own.status_code == 200
    assert here.status_code == 403
