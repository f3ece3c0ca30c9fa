"""The fairness page: the strip plot drawn server-side, the tables, the cut-off."""

from bs4 import BeautifulSoup

from tests import factories
from tests.results.test_fairness_api import scored  # noqa: F401 (a fixture)


def test_fairness_page_draws_every_total_and_marks_the_lenient_judge(client, world, scored):  # noqa: F811
    client.headers["Accept-Language"] = "en"
    factories.login(client, world.organiser)

    response = client.get(f"/manage/rounds/{world.preliminary.id}/fairness")

    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    svg = soup.select_one("figure.strip-plot svg")
    assert svg is not None
    assert len(svg.select("circle")) == 5 * 3 + 1
    assert len(svg.select("circle[fill='#d97706']")) == 1
    assert "宽松评委" in svg.get_text()
    rows = soup.select("table tbody tr")
    assert any("#" in r.get_text() and "C" in r.get_text() for r in rows)
    assert soup.select_one("nav.tabs a[aria-current=page]").get_text() == "Fairness"


def test_fairness_page_of_an_empty_round(client, world):
    client.headers["Accept-Language"] = "en"
    factories.login(client, world.organiser)

    response = client.get(f"/manage/rounds/{world.preliminary.id}/fairness")

    assert response.status_code == 200
    assert BeautifulSoup(response.text, "html.parser").select_one("svg") is None
