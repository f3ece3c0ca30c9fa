"""The public results page: finalists once the semifinal's advancement is published,
winners once the awards are; nothing of a draft contest."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from contest.core.enums import ContestStatus, EntryStatus
from contest.models import Advancement, utcnow
from tests import factories
from tests.awards_setup import Ranked, arrange_ranked


def page(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def url(world: factories.World) -> str:
    return f"/results/{world.contest.id}"


@pytest.fixture
def ranked(db: Session, world: factories.World) -> Ranked:
    return arrange_ranked(db, world, startup=(290, 280, 270), creative=(285, 275))


def advance_into_final(
    db: Session, world: factories.World, ranked: Ranked, *, published: bool
) -> None:
    for entry in ranked.s + ranked.c:
        factories.enrol(db, world.semifinal, entry, EntryStatus.advanced)
    factories.enrol(
        db,
        world.semifinal,
        factories.entry(db, world.contest, world.startup, title="未入围"),
        EntryStatus.eliminated,
    )
    db.add(Advancement(round_id=world.semifinal.id, published_at=utcnow() if published else None))
    db.commit()


def publish_awards(make_client, world: factories.World) -> None:  # type: ignore[no-untyped-def]
    api = make_client()
    api.headers.update(factories.bearer(api, world.organiser))
    base = f"/api/v1/contests/{world.contest.id}/awards"
    assert api.post(base, json={}).status_code == 200
    assert api.post(base + "/publish").status_code == 200


def table(section) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [
        [td.get_text(strip=True) for td in tr.select("td")] for tr in section.select("tbody tr")
    ]


def test_before_anything_is_published_the_page_says_so(client, world, ranked):
    html = page(client.get(url(world)))

    assert html.select_one("h1").get_text(strip=True) == world.contest.name
    assert html.select_one(".results-organisers").get_text(strip=True) == (
        "主办单位：上海市普陀区科学技术委员会、某大学科技园"
    )
    assert html.select_one(".empty-state") is not None
    assert html.select(".results-part") == []


def test_finalists_appear_once_the_advancement_is_published(client, db, world, ranked):
    advance_into_final(db, world, ranked, published=False)
    hidden = page(client.get(url(world)))
    db.get(Advancement, world.semifinal.id).published_at = utcnow()
    db.commit()

    html = page(client.get(url(world)))

    assert hidden.select(".results-part") == []
    [part] = html.select(".results-part")
    assert part.h2.get_text(strip=True) == "决赛入围名单"
    tracks = part.select(".results-track")
    assert [t.h3.get_text(strip=True) for t in tracks] == ["创业组", "创意组"]
    assert table(tracks[0]) == [
        ["1", "S1", "复旦大学", "王五"],
        ["2", "S2", "复旦大学", "王五"],
        ["3", "S3", "复旦大学", "王五"],
    ]
    assert "未入围" not in html.get_text()


def test_winners_appear_once_the_awards_are_published(client, make_client, db, world, ranked):
    advance_into_final(db, world, ranked, published=True)
    publish_awards(make_client, world)

    html = page(client.get(url(world)))

    winners, finalists = html.select(".results-part")
    assert winners.h2.get_text(strip=True) == "获奖名单"
    startup = winners.select(".results-track")[0]
    assert table(startup) == [
        ["金奖", "S1", "复旦大学", "王五"],
        ["银奖", "S2", "复旦大学", "王五"],
        ["银奖", "S3", "复旦大学", "王五"],
    ]
    assert finalists.h2.get_text(strip=True) == "决赛入围名单"


def test_saved_but_unpublished_awards_stay_private(client, make_client, db, world, ranked):
    api = make_client()
    api.headers.update(factories.bearer(api, world.organiser))
    api.post(f"/api/v1/contests/{world.contest.id}/awards", json={})

    html = page(client.get(url(world)))

    assert html.select(".results-part") == []
    assert "S1" not in html.get_text()


def test_a_draft_or_unknown_contest_is_404(client, db, world):
    world.contest.status = ContestStatus.draft
    db.add(world.contest)
    db.commit()

    assert client.get(url(world)).status_code == 404
    assert client.get("/results/999999").status_code == 404


def test_the_home_page_links_to_the_results(client, world):
    html = page(client.get("/"))

    assert f"/results/{world.contest.id}" in [a["href"] for a in html.select(".contest-card a")]


def test_a_published_list_with_no_finalist_says_so_instead_of_an_empty_heading(
    client, db, world, ranked
):  # type: ignore[no-untyped-def]
    for entry in ranked.s + ranked.c:
        factories.enrol(db, world.semifinal, entry, EntryStatus.eliminated)
    db.add(Advancement(round_id=world.semifinal.id, published_at=utcnow()))
    db.commit()

    html = page(client.get(url(world)))

    [part] = html.select(".results-part")
    assert part.h2.get_text(strip=True) == "决赛入围名单"
    assert part.select(".results-track") == []
    empty = part.select_one(".results-empty").get_text(strip=True)
    assert empty == "公示名单中没有入围决赛的项目。"
