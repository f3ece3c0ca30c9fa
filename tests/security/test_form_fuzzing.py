"""A form fuzzer over every page POST route: hostile values (Unicode digits, NUL, huge and
negative numbers, dates at the ends of the calendar, long text) in the fields the pages
offer, sent by the person each form is for. Whatever arrives, no answer is a server error.
"""

from collections import defaultdict

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories
from tests.app_client import TestClient
from tests.routes import app_routes
from tests.security.test_access_matrix import concrete

EXAMPLES = 8
# Read apart: /logout would end the session the rest of the run needs.
SKIPPED = {"/logout"}
ANONYMOUS = {"/login", "/register"}
SPECIAL = [
    "", " ", "²", "٣", "¹²", "0", "-1", "1.5", "1e309", "NaN", "9" * 30, "99999999999",
    "0001-01-01T00:30", "9999-12-31T23:59", "2024-02-30T10:00", "0000-00-00", "2024-13-01",
    "on", "true", "x" * 3000, "\u200b", "<script>alert(1)</script>", "1,2,3", "#1、#2",
    "\x00", "a\x00b", "startup", "gold", "next", "start", "reveal", "finish", "zscore",
]
HOSTILE = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.integers(-(2**70), 2**70).map(str),
)


def form_fields(client: TestClient, paths: list[str]) -> dict[str, set[str]]:
    """Every page's forms: action -> the names of their fields."""
    fields: dict[str, set[str]] = defaultdict(set)
    for path in paths:
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.headers["content-type"]:
            continue
        for form in BeautifulSoup(response.text, "html.parser").find_all("form"):
            action = form.get("action") or path
            for element in form.find_all(["input", "select", "textarea", "button"]):
                if element.get("name") and element.get("name") != "csrf_token":
                    fields[action.split("?")[0]].add(element["name"])
    return fields


def person_for(path: str) -> str:
    if path in ANONYMOUS:
        return "anonymous"
    if path.startswith("/judge/"):
        return "judge"
    if path.startswith("/team/"):
        return "team"
    return "organiser"


@pytest.fixture
def browsers(make_client, world) -> dict[str, TestClient]:  # type: ignore[no-untyped-def]
    accounts = {"judge": world.judge_users[0], "team": world.team, "organiser": world.organiser}
    clients = {"anonymous": make_client()}
    for name, account in accounts.items():
        clients[name] = factories.login(make_client(), account)
    for client in clients.values():
        client.headers["Accept-Language"] = "en"
    return clients


@pytest.mark.slow
def test_no_page_form_answers_with_a_server_error(app, world, scene, browsers):
    routes = app_routes(app)
    pages = [concrete(p, scene) for m, p in routes if m == "GET" and not p.startswith("/api/")]
    posts = [p for m, p in routes if m == "POST" and not p.startswith("/api/") and p not in SKIPPED]
    offered: dict[str, set[str]] = defaultdict(set)
    for name in ("organiser", "judge", "team"):
        for action, names in form_fields(browsers[name], pages).items():
            offered[action] |= names
    every_name = sorted(set().union(*offered.values()))
    failures: list[str] = []

    for template in posts:
        path = concrete(template, scene)
        client = browsers[person_for(template)]
        names = sorted(offered.get(path) or every_name)
        fuzz_form(client, path, names, failures)

    assert len(posts) > 30
    assert len(every_name) > 40
    assert failures == [], "\n".join(failures)


def fuzz_form(client: TestClient, path: str, names: list[str], failures: list[str]) -> None:
    values = st.fixed_dictionaries({}, optional=dict.fromkeys(names, HOSTILE))

    @given(fields=values)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def post(fields: dict[str, str]) -> None:
        response = client.post(path, data=factories.form(client, fields), follow_redirects=False)
        if response.status_code >= 500:
            failures.append(f"POST {path} {fields!r:.300}: {response.status_code}")

    post()
