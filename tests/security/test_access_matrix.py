"""Who may call what: every route of the app, called as every kind of person.

The routes come from the app's own route table; a route missing from MATRIX fails
`test_every_route_has_an_access_rule`, so a new route cannot ship without a decision.

People: anonymous, the entry's team, another team, a judge assigned to the entry,
a judge of the contest not assigned to it, the contest's organiser, and the organiser
of another contest. Each rule says what each of them gets:

- "ok": the permission checks let them through (anything but 401/403/404, a redirect
  to the log-in page, or a server error; 409 and 422 mean the checks passed);
- 401 / 403 / 404: exactly that status;
- "login": a page redirect to /login (anonymous visitors of pages).
"""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests import factories
from tests.routes import app_routes

PEOPLE = ("anonymous", "team", "other_team", "judge", "unassigned_judge", "organiser",
          "other_organiser")

# Rules, as what each person gets, in the order of PEOPLE.
PUBLIC = ("ok",) * 7
API_ORGANISER = (401, 403, 403, 403, 403, "ok", 404)
PAGE_ORGANISER = ("login", 403, 403, 403, 403, "ok", 404)
API_USER = (401, "ok", "ok", "ok", "ok", "ok", "ok")
API_CONTEST_CREATE = (401, 403, 403, 403, 403, "ok", "ok")
PAGE_ORGANISER_ANY = ("login", 403, 403, 403, 403, "ok", "ok")
API_ENTRY_READ = (401, "ok", 404, "ok", 404, "ok", 404)
API_ENTRY_WRITE = (401, "ok", 404, 403, 404, "ok", 404)
# Teams list and create their own entries; judges go through their assignments.
API_ENTRY_LIST = (401, "ok", "ok", 403, 403, "ok", 404)
PAGE_DOCUMENT = ("login", "ok", 404, "ok", 404, "ok", 404)
API_JUDGE_ANY = (401, 403, 403, "ok", "ok", 403, 403)
PAGE_JUDGE_ANY = ("login", 403, 403, "ok", "ok", 403, 403)
API_JUDGE_ASSIGNED = (401, 403, 403, "ok", 404, 403, 403)
PAGE_JUDGE_ASSIGNED = ("login", 403, 403, "ok", 404, 403, 403)
PAGE_TEAM_ANY = ("login", "ok", "ok", 403, 403, 403, 403)
PAGE_TEAM_OWNER = ("login", "ok", 404, 403, 403, 403, 403)
API_CERTIFICATE = (401, "ok", 404, 404, 404, "ok", 404)
PAGE_CONTEST_FOR_TEAMS = ("login", "ok", "ok", 403, 403, 403, 403)

MATRIX: dict[tuple[str, str], tuple[object, ...]] = {
    # Accounts, language, public pages
    ("GET", "/"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/register"): PUBLIC,
    ("POST", "/register"): PUBLIC,
    ("GET", "/lang/{code}"): PUBLIC,
    ("GET", "/verify"): PUBLIC,
    ("GET", "/verify/{code}"): PUBLIC,
    ("GET", "/live/{round_id}"): PUBLIC,
    ("GET", "/results/{contest_id}"): PUBLIC,
    ("POST", "/api/v1/auth/token"): PUBLIC,
    ("POST", "/api/v1/auth/register"): PUBLIC,
    ("GET", "/api/v1/verify/{code}"): PUBLIC,
    ("GET", "/api/v1/rounds/{round_id}/live"): PUBLIC,
    ("GET", "/api/v1/contests/{contest_id}/results.pdf"): PUBLIC,
    ("GET", "/api/v1/me"): API_USER,
    # Contest set-up
    ("GET", "/api/v1/contests"): API_CONTEST_CREATE,
    ("POST", "/api/v1/contests"): API_CONTEST_CREATE,
    ("GET", "/api/v1/contests/{contest_id}"): API_ORGANISER,
    ("PATCH", "/api/v1/contests/{contest_id}"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/audit"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/tracks"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/tracks"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/rounds"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/rounds"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}"): API_ORGANISER,
    ("PATCH", "/api/v1/rounds/{round_id}"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/open"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/close"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/judges"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/judges"): API_ORGANISER,
    ("POST", "/api/v1/judges/{judge_id}/conflicts"): API_ORGANISER,
    ("GET", "/manage"): PAGE_ORGANISER_ANY,
    ("GET", "/manage/contests/new"): PAGE_ORGANISER_ANY,
    ("POST", "/manage/contests/new"): PAGE_ORGANISER_ANY,
    ("GET", "/manage/contests/{contest_id}"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/status"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/audit"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/tracks"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/tracks/{track_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/tracks/{track_id}/edit"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/rounds/new"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/rounds/new"): PAGE_ORGANISER,
    ("GET", "/manage/rounds/{round_id}"): PAGE_ORGANISER,
    ("GET", "/manage/rounds/{round_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/open"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/close"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/judges"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/judges"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/judges/import"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/conflicts"): PAGE_ORGANISER,
    # Entries
    ("GET", "/api/v1/contests/{contest_id}/entries"): API_ENTRY_LIST,
    ("POST", "/api/v1/contests/{contest_id}/entries"): API_ENTRY_LIST,
    ("POST", "/api/v1/contests/{contest_id}/entries/import"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/entries.csv"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/entries.xlsx"): API_ORGANISER,
    ("GET", "/api/v1/entries/{entry_id}"): API_ENTRY_READ,
    ("PATCH", "/api/v1/entries/{entry_id}"): API_ENTRY_WRITE,
    ("POST", "/api/v1/entries/{entry_id}/withdraw"): API_ENTRY_WRITE,
    ("GET", "/api/v1/entries/{entry_id}/documents"): API_ENTRY_READ,
    ("POST", "/api/v1/entries/{entry_id}/documents"): API_ENTRY_WRITE,
    ("GET", "/api/v1/documents/{document_id}"): API_ENTRY_READ,
    ("GET", "/documents/{document_id}"): PAGE_DOCUMENT,
    ("GET", "/team"): PAGE_TEAM_ANY,
    ("GET", "/team/contests/{contest_id}/enter"): PAGE_CONTEST_FOR_TEAMS,
    ("POST", "/team/contests/{contest_id}/enter"): PAGE_CONTEST_FOR_TEAMS,
    ("GET", "/team/entries/{entry_id}/edit"): PAGE_TEAM_OWNER,
    ("POST", "/team/entries/{entry_id}/edit"): PAGE_TEAM_OWNER,
    ("POST", "/team/entries/{entry_id}/documents"): PAGE_TEAM_OWNER,
    ("POST", "/team/entries/{entry_id}/withdraw"): PAGE_TEAM_OWNER,
    ("GET", "/manage/contests/{contest_id}/entries"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/entries/new"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/entries/new"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/entries/import"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/entries/import"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/entries/import/template.csv"): PAGE_ORGANISER,
    ("GET", "/manage/entries/{entry_id}"): PAGE_ORGANISER,
    ("GET", "/manage/entries/{entry_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/entries/{entry_id}/edit"): PAGE_ORGANISER,
    ("POST", "/manage/entries/{entry_id}/documents"): PAGE_ORGANISER,
    ("POST", "/manage/entries/{entry_id}/withdraw"): PAGE_ORGANISER,
    # Judging
    ("POST", "/api/v1/rounds/{round_id}/assignments/auto"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/assignments"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/assignments"): API_ORGANISER,
    ("DELETE", "/api/v1/rounds/{round_id}/assignments"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/assignments.csv"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/assignments.xlsx"): API_ORGANISER,
    ("GET", "/api/v1/me/assignments"): API_JUDGE_ANY,
    ("GET", "/api/v1/rounds/{round_id}/entries/{entry_id}/sheet"): API_JUDGE_ASSIGNED,
    ("PUT", "/api/v1/rounds/{round_id}/entries/{entry_id}/sheet"): API_JUDGE_ASSIGNED,
    ("POST", "/api/v1/rounds/{round_id}/entries/{entry_id}/recuse"): API_JUDGE_ASSIGNED,
    ("POST", "/api/v1/rounds/{round_id}/sheets/reopen"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/progress"): API_ORGANISER,
    ("GET", "/judge"): PAGE_JUDGE_ANY,
    ("GET", "/judge/rounds/{round_id}/entries/{entry_id}"): PAGE_JUDGE_ASSIGNED,
    ("POST", "/judge/rounds/{round_id}/entries/{entry_id}"): PAGE_JUDGE_ASSIGNED,
    ("POST", "/judge/rounds/{round_id}/entries/{entry_id}/recuse"): PAGE_JUDGE_ASSIGNED,
    ("GET", "/manage/rounds/{round_id}/assignments"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/assignments/auto"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/assignments/add"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/assignments/remove"): PAGE_ORGANISER,
    ("GET", "/manage/rounds/{round_id}/progress"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/sheets/reopen"): PAGE_ORGANISER,
    # Results and advancement
    ("GET", "/api/v1/rounds/{round_id}/results"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/results.csv"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/results.xlsx"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/sheets.csv"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/sheets.xlsx"): API_ORGANISER,
    ("GET", "/api/v1/rounds/{round_id}/advancement"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/advancement"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/advancement/publish"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/feedback/publish"): API_ORGANISER,
    ("GET", "/manage/rounds/{round_id}/results"): PAGE_ORGANISER,
    ("GET", "/manage/rounds/{round_id}/advancement"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/advancement"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/advancement/publish"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/feedback/publish"): PAGE_ORGANISER,
    # The live final and awards
    ("GET", "/api/v1/rounds/{round_id}/draw"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/draw"): API_ORGANISER,
    ("POST", "/api/v1/rounds/{round_id}/live"): API_ORGANISER,
    ("GET", "/manage/rounds/{round_id}/live"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/live"): PAGE_ORGANISER,
    ("POST", "/manage/rounds/{round_id}/live/draw"): PAGE_ORGANISER,
    ("GET", "/judge/rounds/{round_id}/live"): PAGE_JUDGE_ANY,  # any judge on the panel
    ("GET", "/api/v1/contests/{contest_id}/awards"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/awards"): API_ORGANISER,
    ("POST", "/api/v1/contests/{contest_id}/awards/publish"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/awards.csv"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/awards.xlsx"): API_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/awards"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/awards"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/awards/publish"): PAGE_ORGANISER,
    # Certificates and exports
    ("GET", "/api/v1/awards/{award_id}/certificate.pdf"): API_CERTIFICATE,
    ("GET", "/api/v1/contests/{contest_id}/certificates"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/certificates.zip"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/certificates.pdf"): API_ORGANISER,
    ("POST", "/api/v1/certificates/{code}/revoke"): API_ORGANISER,
    ("GET", "/api/v1/contests/{contest_id}/export.xlsx"): API_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/certificates"): PAGE_ORGANISER,
    ("POST", "/manage/contests/{contest_id}/certificates/revoke"): PAGE_ORGANISER,
    ("GET", "/manage/contests/{contest_id}/exports"): PAGE_ORGANISER,
}

# Routes whose {round_id} means the live final rather than the preliminary.
FINAL_ROUND_ROUTES = ("/live", "/draw")


def concrete(path: str, values: dict[str, int | str]) -> str:
    round_id = values["final_round_id"] if any(
        path.endswith(part) or f"{part}/" in path for part in FINAL_ROUND_ROUTES
    ) else values["round_id"]
    code = values["lang_code"] if path.startswith("/lang/") else values["code"]
    return path.format(contest_id=values["contest_id"], round_id=round_id,
                       entry_id=values["entry_id"], document_id=values["document_id"],
                       judge_id=values["judge_id"], track_id=values["track_id"],
                       award_id=values["award_id"], code=code)


def caller(app, world, person: str) -> Callable[..., object]:
    """A way to call the app as this person: a bearer token for the API, a logged-in
    browser (with its CSRF token) for pages."""
    accounts = {"team": world.team, "other_team": world.other_team,
                "judge": world.judge_users[0], "unassigned_judge": world.judge_users[1],
                "organiser": world.organiser, "other_organiser": world.other_organiser}
    client = TestClient(app, base_url="http://testserver")
    account = accounts.get(person)
    headers = factories.bearer(client, account) if account else {}
    if account:
        factories.login(client, account)
    else:
        client.get("/login")  # a visitor's browser has a CSRF cookie
    return _caller(client, headers)


def _caller(client: TestClient, api_headers: dict[str, str]):  # type: ignore[no-untyped-def]
    def call(method: str, url: str):  # type: ignore[no-untyped-def]
        if url.startswith("/api/"):
            return client.request(method, url, headers=api_headers, json={})
        token = client.cookies.get("tj_csrf", "")
        data = {"csrf_token": token} if method != "GET" else None
        # The header too: upload routes read no urlencoded body, only a multipart one.
        return client.request(method, url, data=data, headers={"X-CSRF-Token": token},
                              follow_redirects=False)

    return call


def verdict(response) -> object:  # type: ignore[no-untyped-def]
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status in (301, 302, 303, 307) and response.headers.get("location", "").startswith(
            "/login"):
        return "login"
    if status in (401, 403, 404):
        return status
    return "ok"


def test_every_route_has_an_access_rule(app):
    routes = set(app_routes(app))

    assert sorted(routes - set(MATRIX)) == [], "decide who may call these routes"
    assert sorted(set(MATRIX) - routes) == [], "these routes no longer exist"


@pytest.mark.parametrize("person", PEOPLE)
def test_access_matrix(app, world, scene, person):
    """One person per test (and per app and database), so the suite spreads them over
    its processes."""
    call = caller(app, world, person)
    column = PEOPLE.index(person)
    ordered = sorted(MATRIX.items(), key=lambda item: _order(item[0]))
    problems = []
    # What the person may not call goes first, while everything is as arranged; then what
    # they may, reads before writes, judges' and teams' routes before organisers' ones.
    for phase in ("denied", "allowed"):
        for (method, path), rule in ordered:
            expected = rule[column]
            if (expected == "ok") != (phase == "allowed"):
                continue
            url = concrete(path, scene)
            got = verdict(call(method, url))
            if got != expected:
                problems.append(f"{method} {url} as {person}: expected {expected}, got {got}")

    assert problems == [], "\n".join(problems)


def _order(route: tuple[str, str]) -> tuple[int, str]:
    method, path = route
    if path == "/logout":
        return (9, path)
    if method == "GET":
        return (0, path)
    return (1 if "/judge" in path or "/team" in path or "sheet" in path else 2, path)

