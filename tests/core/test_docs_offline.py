"""The API's documentation works offline: Swagger UI and ReDoc come from the app itself,
their pages run no inline script, and one strict Content-Security-Policy covers every
answer."""

import pytest
from bs4 import BeautifulSoup


def policy_of(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    directives = [d.split() for d in response.headers["content-security-policy"].split(";")]
    return {d[0]: d[1:] for d in directives if d}


@pytest.mark.parametrize(("path", "asset"), [("/docs", "/docs/assets/swagger-ui-bundle.js"),
                                             ("/redoc", "/docs/assets/redoc.standalone.js")])
def test_documentation_pages_load_only_local_scripts(client, path, asset):
    response = client.get(path)
    page = BeautifulSoup(response.text, "html.parser")
    sources = [s.get("src") for s in page.find_all("script")]
    links = [link["href"] for link in page.find_all("link")]

    assert response.status_code == 200
    assert None not in sources  # no inline script
    assert asset in sources
    assert all(url.startswith("/") and not url.startswith("//") for url in sources + links)
    assert client.get(asset).status_code == 200
    assert "javascript" in client.get(asset).headers["content-type"]


def test_swagger_ui_is_started_by_our_script_with_the_schema(client):
    page = BeautifulSoup(client.get("/docs").text, "html.parser")
    starter = next(s["src"] for s in page.find_all("script") if "/static/docs.js" in s["src"])

    script = client.get(starter).text

    assert page.select_one("#swagger-ui")["data-openapi-url"] == "/openapi.json"
    assert "validatorUrl: null" in script


@pytest.mark.parametrize("path", ["/", "/login", "/docs", "/redoc", "/openapi.json",
                                  "/api/v1/me", "/no-such-page", "/docs/assets/swagger-ui.css"])
def test_every_answer_has_the_strict_policy(client, path):
    policy = policy_of(client.get(path))

    assert policy["script-src"] == ["'self'"]
    assert not any("https:" in v or v == "*" for values in policy.values() for v in values)
    assert policy["default-src"] == ["'self'"]
