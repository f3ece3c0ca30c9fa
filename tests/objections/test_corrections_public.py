"""A correction is a new version, never a silent edit: the public results page and the
公示 PDF show the current version, the 更正 notice with its date and reason, and the
objection window; both read the publication's snapshot."""

import pytest
from bs4 import BeautifulSoup

from tests.awards.test_announcement_api import text_of
from tests.objections.publication_setup import Published


@pytest.fixture
def semifinal(db, world, client):  # type: ignore[no-untyped-def]
    world.semifinal.advance_count = {"startup": 2}
    arranged = Published(db, world, client, world.semifinal)
    assert arranged.confirm().status_code == 200
    assert arranged.publish().status_code == 200
    return arranged


def _page(client, world):  # type: ignore[no-untyped-def]
    return BeautifulSoup(client.get(f"/results/{world.contest.id}").text, "html.parser")


def test_public_page_shows_version_and_objection_window(semifinal, client, world):
    soup = _page(client, world)

    state = soup.select_one(".publication-state")
    assert state["data-version"] == "1"
    assert "异议" in state.get_text()
    titles = [td.get_text(strip=True) for td in soup.select(".results-title")]
    assert titles == ["S1", "S2"]


def test_withdraw_hides_the_list_and_says_why(semifinal, client, world):
    [item] = semifinal.publications()
    client.post(
        f"/api/v1/publications/{item['id']}/withdraw",
        json={"reason": "第三名的分数录入有误"},
        headers=semifinal.organiser,
    )

    soup = _page(client, world)

    assert soup.select(".results-title") == []
    notice = soup.select_one(".correction-notice").get_text()
    assert "第三名的分数录入有误" in notice


def test_corrected_list_is_version_two_on_page_and_pdf(semifinal, client, world):
    [item] = semifinal.publications()
    client.post(
        f"/api/v1/publications/{item['id']}/withdraw",
        json={"reason": "第三名的分数录入有误"},
        headers=semifinal.organiser,
    )
    ids = [e.id for e in semifinal.entries]
    assert semifinal.confirm([ids[0], ids[2]], reason="更正后第三名晋级").status_code == 200
    assert semifinal.publish().status_code == 200

    soup = _page(client, world)
    pdf = client.get(f"/api/v1/contests/{world.contest.id}/results.pdf?list=finalists")

    assert soup.select_one(".publication-state")["data-version"] == "2"
    assert [td.get_text(strip=True) for td in soup.select(".results-title")] == ["S1", "S3"]
    history = soup.select_one(".correction-history").get_text()
    assert "第三名的分数录入有误" in history
    text = text_of(pdf.content)
    assert "更正" in text
    assert "第三名的分数录入有误" in text
    assert "第2版" in text
    assert "S3" in text
    assert "S2" not in text
