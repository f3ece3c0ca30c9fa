"""CSRF tokens are bound to the session they were minted for: a token from an anonymous
visit, or from another account's session, is refused beside a victim's session cookie, even
when the attacker plants it as the victim's CSRF cookie too."""

import pytest
from sqlalchemy import select

from contest.models import Entry
from tests import factories


@pytest.fixture(autouse=True)
def english(client) -> None:  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"


def edit_title(client, entry_id: int, token: str):  # type: ignore[no-untyped-def]
    return client.post(f"/team/entries/{entry_id}/edit", follow_redirects=False,
                       data={"csrf_token": token, "title": "篡改的标题"})


def planted(client, token: str) -> None:  # type: ignore[no-untyped-def]
    client.cookies.delete("tj_csrf")
    client.cookies.set("tj_csrf", token, domain="testserver.local")


def title_of(db, entry_id: int) -> str:  # type: ignore[no-untyped-def]
    return db.scalar(select(Entry.title).where(Entry.id == entry_id))


def test_an_anonymous_token_planted_beside_a_session_is_refused(
        client, make_client, db, world, scene):
    factories.login(client, world.team)
    attacker = make_client()
    anonymous_token = factories.csrf_token(attacker)
    before = title_of(db, scene["entry_id"])

    planted(client, anonymous_token)
    response = edit_title(client, scene["entry_id"], anonymous_token)

    assert response.status_code == 403
    assert title_of(db, scene["entry_id"]) == before


def test_a_token_of_another_session_is_refused_even_as_the_cookie(
        client, make_client, db, world, scene):
    factories.login(client, world.team)
    attacker = factories.login(make_client(), world.other_team)
    attacker_token = factories.csrf_token(attacker)

    planted(client, attacker_token)
    response = client.post(f"/api/v1/entries/{scene['entry_id']}/withdraw",
                           json={"reason": "x"}, headers={"X-CSRF-Token": attacker_token})

    assert response.status_code == 403
    assert response.json()["detail"] == "Missing or invalid CSRF token."


def test_the_session_own_token_still_works_and_login_issues_a_new_one(client, world):
    anonymous = factories.csrf_token(client)
    factories.login(client, world.organiser)
    own = factories.csrf_token(client)

    response = client.post(f"/manage/contests/{world.contest.id}/edit",
                           data={"csrf_token": own, "name": "新名称", "year": "2024"},
                           follow_redirects=False)

    assert own != anonymous
    assert response.status_code == 303


def test_after_log_out_the_old_token_is_refused_and_pages_mint_a_new_one(client, world):
    factories.login(client, world.organiser)
    old = factories.csrf_token(client)
    client.post("/logout", data={"csrf_token": old})

    page = client.get("/login")
    refused = client.post("/login", data={"csrf_token": old, "email": "x@y.cn", "password": "p"})

    assert client.cookies["tj_csrf"] != old
    assert page.status_code == 200
    assert refused.status_code == 403
