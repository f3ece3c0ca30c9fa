"""Accounts over the API: tokens, /me, registration, throttling."""

from sqlalchemy import select

from contest.core.enums import Role
from contest.core.security import verify_password
from contest.models import LoginFailure, User
from tests import factories
from tests.app_client import TestClient
from tests.factories import PASSWORD


def test_token_then_me_returns_the_account(client, db) -> None:
    judge = factories.user(db, Role.judge, email="judge@example.com", name="李评委")
    db.commit()

    headers = factories.bearer(client, judge)
    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 200
    assert response.json() == {
        "id": judge.id,
        "email": "judge@example.com",
        "name": "李评委",
        "role": "judge",
    }


def test_token_with_wrong_password_is_refused(client, db) -> None:
    account = factories.user(db, Role.team)
    db.commit()

    response = client.post(
        "/api/v1/auth/token", data={"username": account.email, "password": "wrong password"}
    )

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "access_token" not in response.json()


def test_me_without_token_is_401(client) -> None:
    response = client.get("/api/v1/me")

    assert response.status_code == 401


def test_me_with_forged_token_is_401(client) -> None:
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-real-token"})

    assert response.status_code == 401


def test_register_creates_a_team_account(client, db) -> None:
    response = client.post(
        "/api/v1/auth/register",
        json={"email": " Leader@Example.com ", "password": "s3cret-pass", "name": "王队长"},
    )

    assert response.status_code == 201
    account = db.scalars(select(User).where(User.email == "leader@example.com")).one()
    assert (account.role, account.name) == (Role.team, "王队长")
    assert account.password_hash.startswith("$argon2")
    assert verify_password("s3cret-pass", account.password_hash)
    assert response.json() == {
        "id": account.id,
        "email": "leader@example.com",
        "name": "王队长",
        "role": "team",
    }


def test_register_names_each_bad_field(client, db) -> None:
    response = client.post(
        "/api/v1/auth/register", json={"email": "not-an-email", "password": "short", "name": " "}
    )

    assert response.status_code == 422
    fields = {tuple(error["loc"]) for error in response.json()["detail"]}
    assert fields == {("body", "email"), ("body", "password"), ("body", "name")}
    assert db.scalars(select(User)).all() == []


def test_register_refuses_a_taken_email(client, db) -> None:
    factories.user(db, Role.team, email="taken@example.com")
    db.commit()

    response = client.post(
        "/api/v1/auth/register",
        json={"email": "TAKEN@example.com", "password": "long enough", "name": "x"},
    )

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "email"]]
    assert len(db.scalars(select(User)).all()) == 1


def test_login_is_throttled_after_ten_failures(client, db) -> None:
    account = factories.user(db, Role.team)
    db.commit()
    for _attempt in range(10):
        client.post("/api/v1/auth/token", data={"username": account.email, "password": "bad"})

    throttled = client.post(
        "/api/v1/auth/token", data={"username": account.email, "password": PASSWORD}
    )

    assert throttled.status_code == 429
    assert throttled.headers["retry-after"] == "300"
    assert "5" in throttled.json()["detail"]


def test_throttling_looks_the_same_for_unknown_accounts(client, db) -> None:
    account = factories.user(db, Role.team)
    db.commit()
    answers = {}
    for email in (account.email, "nobody@example.com"):
        for _attempt in range(10):
            client.post("/api/v1/auth/token", data={"username": email, "password": "bad"})
        response = client.post("/api/v1/auth/token", data={"username": email, "password": "x"})
        answers[email] = (response.status_code, response.json())

    assert answers[account.email] == answers["nobody@example.com"]
    assert answers[account.email][0] == 429


def test_good_password_from_a_client_that_never_failed_is_not_throttled(app, db) -> None:
    account = factories.user(db, Role.team)
    db.commit()
    attacker = TestClient(app, client=("203.0.113.9", 5000))
    for _attempt in range(12):
        attacker.post("/api/v1/auth/token", data={"username": account.email, "password": "bad"})
    owner = TestClient(app, client=("198.51.100.7", 5000))

    response = owner.post(
        "/api/v1/auth/token", data={"username": account.email, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert db.scalars(select(LoginFailure)).all()  # the attacker's failures are recorded
