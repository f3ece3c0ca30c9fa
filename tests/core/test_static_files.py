"""Static files: pages name them by an address that carries the file's digest, which the
browser keeps for a year (a new version of the file has a new address)."""

import re


def test_a_page_names_its_stylesheet_by_digest_and_the_browser_keeps_it(client) -> None:
    page = client.get("/login")
    address = re.search(r'href="(/static/app\.css\?v=[0-9a-f]{10})"', page.text)
    assert address is not None

    stylesheet = client.get(address.group(1))

    assert stylesheet.status_code == 200
    assert stylesheet.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_a_static_file_asked_for_without_its_digest_is_checked_each_time(client) -> None:
    response = client.get("/static/app.css")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"
