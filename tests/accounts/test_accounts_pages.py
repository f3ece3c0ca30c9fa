"""Logging in and out in the browser: cookies, CSRF, fixation, redirects."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from contest.core.enums import Role
from contest.models import AuthSession, User
from tests import factories
from tests.factories import PASSWORD


def test_login_sets_a_safe_session_cookie(client, db) -> None:
    account = factories.user(db, Role.organiser)
    db.commit()

    response = client.post(
        "/login",
        data=factories.form(client, {"email": account.email, "password": PASSWORD}),
        follow_redirects=False,
    )

    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("tj_session="))
    assert response.status_code == 303
    assert response.headers["location"] == "/manage"
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()


def test_login_without_csrf_token_is_refused(client, db) -> None:
    account = factories.user(db, Role.organiser)
    db.commit()

    response = client.post("/login", data={"email": account.email, "password": PASSWORD})

    assert response.status_code == 403
    assert db.scalars(select(AuthSession)).all() == []


def test_login_with_token_from_another_browser_is_refused(client, make_client, db) -> None:
    account = factories.user(db, Role.organiser)
    db.commit()
    other_token = factories.csrf_token(make_client())

    response = client.post(
        "/login", data={"email": account.email, "password": PASSWORD, "csrf_token": other_token}
    )

    assert response.status_code == 403


def test_wrong_password_shows_the_form_again(client, db) -> None:
    account = factories.user(db, Role.team)
    db.commit()

    response = client.post(
        "/login", data=factories.form(client, {"email": account.email, "password": "nope"})
    )

    page = BeautifulSoup(response.text, "html.parser")
    assert response.status_code == 400
    assert page.select_one(".flash-error").get_text(strip=True) == "邮箱或密码错误。"
    assert page.select_one("input[name=email]")["value"] == account.email


def test_login_follows_a_local_next_only(client, db) -> None:
    account = factories.user(db, Role.judge)
    db.commit()

    local = client.post(
        "/login",
        data=factories.form(
            client, {"email": account.email, "password": PASSWORD, "next": "/judge?x=1"}
        ),
        follow_redirects=False,
    )
    foreign = client.post(
        "/login",
        data=factories.form(
            client,
            {"email": account.email, "password": PASSWORD, "next": "https://evil.example.com/"},
        ),
        follow_redirects=False,
    )

    assert local.headers["location"] == "/judge?x=1"
    assert foreign.headers["location"] == "/"


def test_login_replaces_the_previous_session(client, db) -> None:
    """No session fixation: a session id known before logging in is dead afterwards."""
    first = factories.user(db, Role.team)
    db.commit()
    factories.login(client, first)
    planted = client.cookies["tj_session"]

    factories.login(client, first)

    assert client.cookies["tj_session"] != planted
    assert len(db.scalars(select(AuthSession)).all()) == 1
    client.cookies.set("tj_session", planted)
    assert client.get("/api/v1/me").status_code == 401


def test_logout_invalidates_a_copied_cookie(client, make_client, db) -> None:
    account = factories.user(db, Role.team)
    db.commit()
    factories.login(client, account)
    stolen = make_client()
    stolen.cookies.set("tj_session", client.cookies["tj_session"])
    assert stolen.get("/api/v1/me").status_code == 200

    client.post("/logout", data=factories.form(client))

    assert stolen.get("/api/v1/me").status_code == 401
    assert db.scalars(select(AuthSession)).all() == []


def test_logout_without_csrf_is_refused(client, db) -> None:
    account = factories.user(db, Role.team)
    db.commit()
    factories.login(client, account)

    response = client.post("/logout")

    assert response.status_code == 403
    assert client.get("/api/v1/me").status_code == 200


def test_cookie_session_api_write_needs_csrf_header(client, db) -> None:
    organiser = factories.user(db, Role.organiser)
    db.commit()
    factories.login(client, organiser)
    body = {"name": "大赛", "year": 2024}

    refused = client.post("/api/v1/contests", json=body)
    accepted = client.post(
        "/api/v1/contests", json=body, headers={"X-CSRF-Token": client.cookies["tj_csrf"]}
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201


def test_register_page_creates_account_and_logs_in(client, db) -> None:
    response = client.post(
        "/register",
        data=factories.form(
            client,
            {"name": "赵队长", "email": "zhao@example.com", "password": "longpassword",
             "privacy_consent": "1"},
        ),
        follow_redirects=False,
    )

    account = db.scalars(select(User).where(User.email == "zhao@example.com")).one()
    assert (account.privacy_version, account.privacy_consented_at is not None) == (1, True)
    assert response.status_code == 303
    assert response.headers["location"] == "/team"
    assert account.role == Role.team
    assert client.get("/api/v1/me").json()["email"] == "zhao@example.com"


def test_register_page_shows_field_errors(client, db) -> None:
    response = client.post(
        "/register", data=factories.form(client, {"name": "", "email": "bad", "password": "short"})
    )

    page = BeautifulSoup(response.text, "html.parser")
    assert response.status_code == 422
    assert page.select_one("#e-email").get_text(strip=True) == "请输入有效的电子邮箱地址。"
    assert page.select_one("#e-password").get_text(strip=True) == "密码至少需要 8 个字符。"
    assert page.select_one("#e-name").get_text(strip=True) == "请填写姓名。"
    assert db.scalars(select(User)).all() == []


def test_pages_for_another_role_are_403_pages(client, db) -> None:
    account = factories.user(db, Role.team)
    db.commit()
    factories.login(client, account)

    response = client.get("/manage")

    page = BeautifulSoup(response.text, "html.parser")
    assert response.status_code == 403
    assert page.select_one(".error-code").get_text(strip=True) == "403"


def test_pages_redirect_anonymous_visitors_to_login(client) -> None:
    response = client.get("/manage/contests/1?tab=x", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/manage/contests/1%3Ftab%3Dx"


def test_unknown_page_is_a_styled_404(client) -> None:
    response = client.get("/no/such/page")

    page = BeautifulSoup(response.text, "html.parser")
    assert response.status_code == 404
    assert page.select_one("h1").get_text(strip=True) == "未找到"
    assert page.select_one("link[rel=stylesheet]") is not None


def test_security_headers_are_set(client) -> None:
    response = client.get("/")

    assert response.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]


def test_login_form_carries_the_browsers_csrf_token(client, db):
    """The token is read from the page, as a browser submits it."""
    account = factories.user(db, Role.organiser)
    db.commit()
    page = BeautifulSoup(client.get("/login").text, "html.parser")
    token = page.select_one("form.stack input[name=csrf_token]")["value"]
    cookie_before = client.cookies["tj_csrf"]

    response = client.post("/login", data={"email": account.email, "password": PASSWORD,
                                           "csrf_token": token}, follow_redirects=False)

    assert token == cookie_before
    assert response.status_code == 303
    assert client.cookies["tj_csrf"] != cookie_before  # a new token for the new session
