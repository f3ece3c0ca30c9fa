"""The organiser's awards page: preview beside the ranking, settling a tie, saving,
publishing; who may open it; and teams seeing their published award."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from contest.models import Award, Certificate
from tests import factories
from tests.awards_setup import Ranked, arrange_ranked
from tests.judging_setup import read


def page(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    factories.login(client, world.organiser)
    client.get("/manage")  # shows (and so clears) the welcome message
    return client


def url(world: factories.World) -> str:
    return f"/manage/contests/{world.contest.id}/awards"


def rows(html: BeautifulSoup, heading: str) -> list[tuple[str, str]]:
    """(title, award) of each row of the ranking under a heading."""
    section = next(
        s for s in html.select(".awards-rankings section") if s.h2.get_text(strip=True) == heading
    )
    return [
        (tr.select_one("strong").get_text(strip=True), tr.select("td")[-1].get_text(strip=True))
        for tr in section.select("tbody tr")
    ]


def test_the_default_preview_shows_the_awards_beside_each_ranking(organiser, db, world):
    arrange_ranked(db, world)

    html = page(organiser.get(url(world)))

    assert rows(html, "创业组") == [
        ("S1", "金奖"),
        ("S2", "银奖"),
        ("S3", "银奖"),
        ("S4", "铜奖"),
        ("S5", "铜奖"),
        ("S6", "铜奖"),
        ("S7", "–"),
        ("S8", "–"),
    ]
    assert rows(html, "创意组") == [("C1", "金奖"), ("C2", "银奖"), ("C3", "银奖"), ("C4", "铜奖")]
    assert html.select_one("input[name=gold]")["value"] == "1"
    assert html.select_one("form.awards-save button").get_text(strip=True) == "保存 10 个奖项"
    assert read(db, select(Award.id)) == []


def test_the_preview_follows_the_chosen_scope_and_counts(organiser, db, world):
    arrange_ranked(db, world)

    html = page(organiser.get(url(world) + "?scope=overall&gold=1&silver=1&bronze=0&excellence=2"))

    assert rows(html, "全部组别")[:5] == [
        ("S1", "金奖"),
        ("C1", "银奖"),
        ("S2", "优秀奖"),
        ("C2", "优秀奖"),
        ("S3", "–"),
    ]


def test_a_count_that_is_no_number_is_shown_by_its_field(organiser, db, world):
    arrange_ranked(db, world)

    html = page(organiser.get(url(world) + "?gold=x"))

    field = html.select_one("#f-gold").find_parent("div")
    assert "has-error" in field["class"]
    assert field.select_one(".error").get_text(strip=True) == "请输入 0 或更大的整数。"


def test_a_boundary_tie_offers_a_choice_per_tied_project(organiser, db, world):
    ranked = arrange_ranked(db, world, startup=(290, 280, 280, 260), creative=(285,))
    s = ranked.s

    html = page(organiser.get(url(world) + "?gold=1&silver=1&bronze=0"))

    assert html.select_one(".flash-warning").get_text(strip=True).startswith("同分跨越了奖项等级")
    radios = html.select(f"input[name=resolve-{s[1].id}]")
    assert [r["value"] for r in radios] == ["silver", "none"]
    assert html.select_one("form.awards-save") is None


def test_choosing_settles_the_tie_and_saving_keeps_the_choice(organiser, db, world):
    ranked = arrange_ranked(db, world, startup=(290, 280, 280, 260), creative=(285,))
    s = ranked.s
    query = f"?gold=1&silver=1&bronze=0&resolve-{s[1].id}=none&resolve-{s[2].id}=silver"

    html = page(organiser.get(url(world) + query))
    form = html.select_one("form.awards-save")
    fields = {i["name"]: i.get("value", "") for i in form.select("input") if i.get("name")}
    fields["reason"] = "按现场答辩表现决定"
    response = organiser.post(url(world), data=fields, follow_redirects=True)

    assert rows(html, "创业组")[:3] == [("S1", "金奖"), ("S2", "–"), ("S3", "银奖")]
    assert html.select_one(f"input[name=resolve-{s[2].id}][value=silver]").has_attr("checked")
    saved = read(db, select(Award.entry_id, Award.tier).order_by(Award.id))
    assert sorted(saved) == sorted(
        [(s[0].id, "gold"), (s[2].id, "silver"), (ranked.c[0].id, "gold")]
    )
    assert (
        page(response)
        .select_one(".flash-success")
        .get_text(strip=True)
        .startswith("已保存 3 个奖项")
    )


def test_publishing_locks_the_page_and_shows_the_certificate_codes(organiser, db, world):
    arrange_ranked(db, world)
    html = page(organiser.get(url(world)))
    fields = {
        i["name"]: i.get("value", "")
        for i in html.select("form.awards-save input")
        if i.get("name")
    }
    organiser.post(url(world), data=fields)

    response = organiser.post(
        url(world) + "/publish", data=factories.form(organiser), follow_redirects=True
    )

    html = page(response)
    codes = read(db, select(Certificate.code))
    shown = [td.get_text(strip=True) for td in html.select(".awards-table td.mono")]
    assert sorted(shown) == sorted(code for (code,) in codes)
    assert len(shown) == 10
    assert html.select_one("form.awards-form") is None
    assert html.select_one("form.awards-publish") is None


def test_saving_before_the_final_closed_comes_back_with_the_reason(organiser, db, world):
    arrange_ranked(db, world, closed=False)

    response = organiser.post(
        url(world), data=factories.form(organiser, {"scope": "per_track"}), follow_redirects=True
    )

    assert page(response).select_one(".flash-error").get_text(strip=True) == (
        "决赛尚未结束：评分关闭后才能根据决赛排名评定奖项。"
    )
    assert read(db, select(Award.id)) == []


@pytest.mark.parametrize(
    ("role", "expected"), [("team", 403), ("judge", 403), ("other_organiser", 404)]
)
def test_the_awards_page_refuses_everyone_else(make_client, db, world, role, expected):
    arrange_ranked(db, world)
    account = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }[role]
    client = factories.login(make_client(), account)

    assert client.get(url(world)).status_code == expected
    assert client.post(url(world), data=factories.form(client)).status_code == expected
    assert client.post(url(world) + "/publish", data=factories.form(client)).status_code == expected
    assert read(db, select(Award.id)) == []


def test_the_awards_page_sends_anonymous_visitors_to_log_in(client, world):
    response = client.get(url(world), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_the_team_sees_its_award_once_published(make_client, db, world):
    ranked: Ranked = arrange_ranked(db, world)
    winner = ranked.s[0]
    winner.owner_id = world.team.id
    db.add(winner)
    db.commit()
    api = make_client()
    api.headers.update(factories.bearer(api, world.organiser))
    team = factories.login(make_client(), world.team)
    api.post(f"/api/v1/contests/{world.contest.id}/awards", json={})

    before = page(team.get("/team")).select_one(".certificate-box")
    api.post(f"/api/v1/contests/{world.contest.id}/awards/publish")
    after = page(team.get("/team")).select_one(".certificate-box")

    assert before is None, "no award box before the awards are published"
    assert after.select_one(".badge").get_text(strip=True) == "金奖"
    [(award_id,)] = read(db, select(Award.id).where(Award.entry_id == winner.id))
    assert after.select_one("a.btn")["href"] == f"/api/v1/awards/{award_id}/certificate.pdf"
