"""The investor plays every route of the app (the access matrix's eighth person).

An investor of the scene's contest may call the public routes, `/api/v1/me`, and its own
routes (showcase, marks, stakes, the business plan the team agreed to share); every
other route answers 403 or 404 (or asks to log in), never "ok". An investor of another
contest gets 404 from the investor routes: it never sees this contest's data.
"""

import pytest

from contest.models import EntryConsent
from tests import factories
from tests.investors_setup import investor
from tests.routes import app_routes
from tests.security.test_access_matrix import (
    MATRIX,
    PUBLIC,
    _caller,
    _order,
    concrete,
    verdict,
)

INVESTOR_ROUTES = {
    ("PUT", "/api/v1/contests/{contest_id}/stakes"),
    ("GET", "/api/v1/contests/{contest_id}/showcase"),
    ("GET", "/api/v1/entries/{entry_id}/business-plan"),
    ("PUT", "/api/v1/entries/{entry_id}/interest"),
    ("DELETE", "/api/v1/entries/{entry_id}/interest"),
}
INVESTOR_PAGES = {
    ("GET", "/invest"),
    ("GET", "/invest/contests/{contest_id}"),
    ("POST", "/invest/contests/{contest_id}/stakes"),
    ("POST", "/invest/entries/{entry_id}/interest"),
    ("GET", "/invest/entries/{entry_id}/business-plan"),
}
# Every signed-in account: its own profile, password, sessions and tokens.
OPEN_TO_EVERY_USER = {
    route for route, rule in MATRIX.items() if rule[0] != "ok" and set(rule[1:]) == {"ok"}
}


def expected_for_investor(route: tuple[str, str]) -> str:
    if MATRIX.get(route) == PUBLIC or route in OPEN_TO_EVERY_USER:
        return "ok"
    if route in INVESTOR_ROUTES or route in INVESTOR_PAGES:
        return "ok"
    return "denied"


@pytest.fixture
def investor_call(app, db, world, scene):  # type: ignore[no-untyped-def]
    account, _seat = investor(db, world.contest.id, organisation="普陀创投")
    db.merge(EntryConsent(entry_id=scene["entry_id"], share_business_plan=True))
    db.commit()
    return account


def call_as(client, account):  # type: ignore[no-untyped-def]
    headers = factories.bearer(client, account)
    factories.login(client, account)
    return _caller(client, headers)


def test_investor_reaches_only_public_and_its_own_routes(
    app, make_client, world, scene, investor_call
):
    call = call_as(make_client(), investor_call)
    problems = []
    # Reads before writes, and ending the session or token last, as in the access matrix.
    routes = sorted(app_routes(app), key=_order)
    for method, path in routes:
        got = verdict(call(method, concrete(path, scene)))
        expected = expected_for_investor((method, path))
        if expected == "ok" and got != "ok":
            problems.append(f"{method} {path}: expected ok, got {got}")
        if expected == "denied" and got not in (403, 404, "login"):
            problems.append(f"{method} {path}: expected 403/404, got {got}")

    assert problems == [], "\n".join(problems)


def test_an_investor_of_another_contest_sees_nothing_here(make_client, db, world, scene):
    account, _seat = investor(db, world.other_contest.id, organisation="别家资本")
    db.commit()
    call = call_as(make_client(), account)

    got = {route: verdict(call(route[0], concrete(route[1], scene)))
           for route in sorted(INVESTOR_ROUTES | INVESTOR_PAGES) if "{" in route[1]}

    assert set(got.values()) == {404}, got
