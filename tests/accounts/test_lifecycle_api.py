"""An account's life over the API: password rules, addresses, registration confirmed by
mail, password reset and change, ending tokens and sessions."""

import re

import pytest
from sqlalchemy import select

from contest.core.enums import Role
from contest.core.security import verify_password
from contest.models import AccountToken, AuthSession, User
from tests import factories
from tests.factories import PASSWORD
from tests.mail_setup import text_part

NEW_PASSWORD = "a fresh passphrase 7"  # noqa: S105


def fields(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {error["loc"][-1] for error in response.json()["detail"]}


def register(client, email="leader@example.com", password="s3cret-pass", name="王队长"):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, "name": name}
    )


def link_in(message, kind: str) -> str:  # type: ignore[no-untyped-def]
    """The token of the {BASE_URL}/{kind}/{token} link in a mail."""
    found = re.search(rf"http://testserver/{kind}/([A-Za-z0-9_-]+)", text_part(message))
    assert found, text_part(message)
    return found.group(1)


@pytest.mark.parametrize(
    "password",
    ["short", "        ", "12345678", "password", "qwertyui", "Password1", "88888888",
     "leader@example.com", "LEADER@example.com", "leaderxyz"],
)
def test_weak_passwords_are_refused_naming_password(client, password) -> None:
    email = "leaderxyz@example.com" if password == "leaderxyz" else "leader@example.com"
    response = register(client, email=email, password=password)

    assert response.status_code == 422
    assert fields(response) == {"password"}


def test_a_good_password_passes_and_is_stored_hashed(client, db) -> None:
    response = register(client, password="中文密码中文密码")

    assert response.status_code == 201
    account = db.scalars(select(User).where(User.email == "leader@example.com")).one()
    assert verify_password("中文密码中文密码", account.password_hash)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [(" Leader@Example.COM ", "leader@example.com"),
     ("ｌｅａｄｅｒ＠ｅｘａｍｐｌｅ．ｃｏｍ", "leader@example.com")],
)
def test_addresses_are_normalised(client, db, typed, stored) -> None:
    assert register(client, email=typed).status_code == 201

    assert db.scalars(select(User.email)).all() == [stored]
    login = client.post("/api/v1/auth/token", data={"username": typed, "password": "s3cret-pass"})
    assert login.status_code == 200


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\ufeff", "\u00ad", "\u3164", "\u202e"])
def test_addresses_with_invisible_characters_are_refused(client, db, invisible) -> None:
    response = register(client, email=f"lea{invisible}der@example.com")

    assert response.status_code == 422
    assert fields(response) == {"email"}
    assert "不可见字符" in response.json()["detail"][0]["msg"]
    assert db.scalars(select(User)).all() == []


def test_create_user_cli_rules_apply_to_organisers_too(db) -> None:
    from contest.accounts import service as auth
    from contest.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        auth.create_user(db, role=Role.organiser, email="o@example.com", password="12345678",
                         name="组委会")
    assert [error.field for error in refused.value.errors] == ["password"]


# Tokens and sessions


def test_deleting_the_token_ends_it_and_only_it(client, db) -> None:
    account = factories.user(db, Role.team)
    db.commit()
    first, second = factories.bearer(client, account), factories.bearer(client, account)

    assert client.delete("/api/v1/auth/token", headers=first).status_code == 204

    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 200
    assert client.delete("/api/v1/auth/token").status_code == 401


def test_web_log_out_ends_the_session(client, db) -> None:
    account = factories.user(db, Role.team)
    db.commit()
    factories.login(client, account)
    cookie = client.cookies["tj_session"]

    client.post("/logout", data=factories.form(client, {}))

    assert db.scalars(select(AuthSession)).all() == []
    client.cookies.set("tj_session", cookie)
    assert client.get("/team", follow_redirects=False).status_code == 303


def test_my_sessions_lists_and_ends_them(client, db) -> None:
    account = factories.user(db, Role.team)
    db.commit()
    mine = factories.bearer(client, account)
    other = client.post("/api/v1/auth/token", headers={"User-Agent": "tianjiao-script/1.0"},
                        data={"username": account.email, "password": PASSWORD}).json()
    other_headers = {"Authorization": f"Bearer {other['access_token']}"}

    listed = client.get("/api/v1/me/sessions", headers=mine).json()

    assert len(listed) == 2
    [current] = [row for row in listed if row["current"]]
    [script] = [row for row in listed if not row["current"]]
    assert (script["kind"], script["client"]) == ("token", "tianjiao-script/1.0")
    assert script["created_at"]
    assert script["last_used_at"]
    assert client.delete(f"/api/v1/me/sessions/{script['id']}", headers=mine).status_code == 204
    assert client.get("/api/v1/me", headers=other_headers).status_code == 401
    assert client.get("/api/v1/me", headers=mine).status_code == 200
    assert [row["id"] for row in client.get("/api/v1/me/sessions", headers=mine).json()] == [
        current["id"]]


def test_nobody_ends_someone_elses_session(client, db) -> None:
    victim, intruder = factories.user(db, Role.team), factories.user(db, Role.team)
    db.commit()
    victim_headers = factories.bearer(client, victim)
    victim_id = client.get("/api/v1/me/sessions", headers=victim_headers).json()[0]["id"]

    answer = client.delete(f"/api/v1/me/sessions/{victim_id}",
                           headers=factories.bearer(client, intruder))

    assert answer.status_code == 204
    assert client.get("/api/v1/me", headers=victim_headers).status_code == 200


# Password change


def test_changing_the_password_ends_the_other_sessions(client, make_client, db, run_jobs) -> None:
    account = factories.user(db, Role.team)
    db.commit()
    mine, other = factories.bearer(client, account), factories.bearer(client, account)
    browser = make_client()
    factories.login(browser, account)

    answer = client.post("/api/v1/me/password", headers=mine,
                         json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})

    assert answer.status_code == 204
    assert client.get("/api/v1/me", headers=mine).status_code == 200
    assert client.get("/api/v1/me", headers=other).status_code == 401
    assert browser.get("/team", follow_redirects=False).status_code == 303
    assert client.post("/api/v1/auth/token", data={"username": account.email,
                                                   "password": NEW_PASSWORD}).status_code == 200
    db.refresh(account)
    assert verify_password(NEW_PASSWORD, account.password_hash)


def test_password_change_mails_the_owner(mail_app, client, db, smtp_server, run_jobs) -> None:
    account = factories.user(db, Role.team, email="owner@example.com")
    db.commit()

    client.post("/api/v1/me/password", headers=factories.bearer(client, account),
                json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    run_jobs()

    [message] = smtp_server.inbox.wait_for(1)
    assert message["To"] == "owner@example.com"
    assert message["Subject"] == "您的密码已更改"
    assert NEW_PASSWORD not in text_part(message)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"current_password": "wrong password", "new_password": NEW_PASSWORD}, "current_password"),
     ({"current_password": PASSWORD, "new_password": "12345678"}, "new_password"),
     ({"current_password": PASSWORD, "new_password": "team@example.com"}, "new_password")],
)
def test_password_change_names_the_bad_field(client, db, body, field) -> None:
    account = factories.user(db, Role.team, email="team@example.com")
    db.commit()
    headers = factories.bearer(client, account)

    answer = client.post("/api/v1/me/password", headers=headers, json=body)

    assert answer.status_code == 422
    assert fields(answer) == {field}
    assert client.get("/api/v1/me", headers=headers).status_code == 200


# Registration with mail configured


def test_registration_by_mail_answers_202_and_confirms(mail_app, client, db, smtp_server,
                                                       run_jobs) -> None:
    answer = register(client)

    assert answer.status_code == 202
    assert set(answer.json()) == {"detail"}
    account = db.scalars(select(User).where(User.email == "leader@example.com")).one()
    assert account.awaiting_confirmation
    login = {"username": "leader@example.com", "password": "s3cret-pass"}
    assert client.post("/api/v1/auth/token", data=login).status_code == 401
    run_jobs()
    [message] = smtp_server.inbox.wait_for(1)
    assert message["To"] == "leader@example.com"
    token = link_in(message, "confirm")

    assert client.post("/api/v1/auth/confirm", json={"token": token}).status_code == 204
    assert client.post("/api/v1/auth/token", data=login).status_code == 200
    again = client.post("/api/v1/auth/confirm", json={"token": token})
    assert again.status_code == 422
    assert fields(again) == {"token"}


def test_registering_a_known_address_changes_nothing_and_says_so_by_mail(
        mail_app, client, db, smtp_server, run_jobs) -> None:
    account = factories.user(db, Role.team, email="taken@example.com", name="原队长")
    db.commit()
    before = account.password_hash

    taken = register(client, email="Taken@example.com", password="another-pass-2", name="冒名者")
    fresh = register(client, email="fresh@example.com")

    assert (taken.status_code, fresh.status_code) == (202, 202)
    assert taken.json() == fresh.json()
    db.refresh(account)
    assert (account.password_hash, account.name) == (before, "原队长")
    run_jobs()
    got = {m["To"]: m for m in smtp_server.inbox.wait_for(2)}
    assert got["taken@example.com"]["Subject"] == "您已经有账号了"
    assert "原队长，您好" in text_part(got["taken@example.com"])
    assert "/reset/" in text_part(got["taken@example.com"])
    assert "/confirm/" in text_part(got["fresh@example.com"])


def test_registration_without_mail_is_usable_at_once(client) -> None:
    assert register(client).status_code == 201
    login = {"username": "leader@example.com", "password": "s3cret-pass"}
    assert client.post("/api/v1/auth/token", data=login).status_code == 200


def test_registration_is_throttled_without_revealing_anything(mail_app, client, db) -> None:
    factories.user(db, Role.team, email="taken@example.com")
    db.commit()

    answers = [register(client, email=f"probe{n}@example.com").status_code for n in range(25)]
    taken = register(client, email="taken@example.com").status_code

    assert answers[:20] == [202] * 20
    assert answers[20:] == [429] * 5
    assert taken == 429


# Password reset


def test_password_reset_by_mail_ends_every_session(mail_app, client, db, smtp_server,
                                                   run_jobs) -> None:
    account = factories.user(db, Role.judge, email="judge@example.com")
    db.commit()
    old_token = factories.bearer(client, account)

    answer = client.post("/api/v1/auth/password-reset", json={"email": " JUDGE@example.com"})
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "nobody@example.com"})

    assert (answer.status_code, unknown.status_code) == (202, 202)
    assert answer.json() == unknown.json()
    run_jobs()
    [message] = smtp_server.inbox.wait_for(1)
    assert message["To"] == "judge@example.com"
    token = link_in(message, "reset")
    weak = client.post("/api/v1/auth/password-reset/confirm",
                       json={"token": token, "password": "password"})
    assert (weak.status_code, fields(weak)) == (422, {"password"})

    done = client.post("/api/v1/auth/password-reset/confirm",
                       json={"token": token, "password": NEW_PASSWORD})

    assert done.status_code == 204
    assert client.get("/api/v1/me", headers=old_token).status_code == 401
    assert db.scalars(select(AuthSession)).all() == []
    assert client.post("/api/v1/auth/token", data={"username": "judge@example.com",
                                                   "password": NEW_PASSWORD}).status_code == 200
    reused = client.post("/api/v1/auth/password-reset/confirm",
                         json={"token": token, "password": "yet another pass 9"})
    assert (reused.status_code, fields(reused)) == (422, {"token"})
    run_jobs()
    assert smtp_server.inbox.wait_for(2)[1]["Subject"] == "您的密码已更改"


def test_a_reset_link_lasts_one_hour(client, db) -> None:
    from datetime import timedelta

    from contest.models import utcnow

    account = factories.user(db, Role.team, email="team@example.com")
    db.commit()
    client.post("/api/v1/auth/password-reset", json={"email": "team@example.com"})
    row = db.scalars(select(AccountToken)).one()
    assert timedelta(minutes=59) < row.expires_at - utcnow() <= timedelta(hours=1)
    assert len(row.id) == 64  # a digest: the secret itself is not stored
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    # The mail is in the outbox (no SMTP here): read the link from it.
    from contest.models import OutboxMail

    mail = db.scalars(select(OutboxMail)).one()
    token = re.search(r"/reset/([A-Za-z0-9_-]+)", mail.text).group(1)  # type: ignore[union-attr]

    late = client.post("/api/v1/auth/password-reset/confirm",
                       json={"token": token, "password": NEW_PASSWORD})

    assert (late.status_code, fields(late)) == (422, {"token"})
    assert account.id
