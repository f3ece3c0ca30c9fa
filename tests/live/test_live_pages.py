"""The live final's pages: the control page and its forms, the judges' live page, the
big screen; who may open each."""

import json

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import ContestStatus
from contest.models import Draw, LiveState
from tests import factories
from tests.judging_setup import read
from tests.live_setup import Final, arrange_final, drawn, score, step


@pytest.fixture
def final(db: Session, world: factories.World) -> Final:
    return arrange_final(db, world)


def page(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def control_url(final: Final) -> str:
    return f"/manage/rounds/{final.round.id}/live"


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    factories.login(client, world.organiser)
    client.get("/manage")  # shows (and so clears) the welcome message
    return client


def api_client(make_client, account):  # type: ignore[no-untyped-def]
    client = make_client()
    client.headers.update(factories.bearer(client, account))
    return client


def test_control_page_before_the_draw_lists_the_entries_and_offers_the_draw(organiser, final):
    html = page(organiser.get(control_url(final)))

    titles = [n.get_text(strip=True) for n in html.select("[data-live=order] .live-order-title")]
    assert sorted(titles) == sorted(e.title for e in final.entries)
    assert html.select_one("form.live-draw button").get_text(strip=True) == "抽签决定顺序"
    assert html.select_one("form.live-draw input[name=reason]") is None
    start = html.select_one("form[data-step=start] button")
    assert start.has_attr("disabled")
    assert html.select_one(".tabs a[aria-current=page]")["href"] == control_url(final)


def test_the_draw_form_draws_and_the_page_shows_the_order(organiser, db, final):
    response = organiser.post(
        control_url(final) + "/draw",
        data=factories.form(organiser, {"seed": "42"}),
        follow_redirects=True,
    )

    html = page(response)
    [(order,)] = read(db, select(Draw.order))
    titles = {e.id: e.title for e in final.entries}
    shown = [n.get_text(strip=True) for n in html.select("[data-live=order] .live-order-title")]
    assert shown == [titles[e] for e in order]
    assert [n.get_text(strip=True) for n in html.select("[data-live=order] .live-pos")] == [
        "1",
        "2",
        "3",
    ]
    assert html.select_one(".flash-success").get_text(strip=True) == "已抽签，种子为 42。"
    assert not html.select_one("form[data-step=start] button").has_attr("disabled")


def test_a_redraw_without_reason_shows_the_message_by_the_field(organiser, db, final):
    organiser.post(control_url(final) + "/draw", data=factories.form(organiser, {"seed": "1"}))

    response = organiser.post(
        control_url(final) + "/draw", data=factories.form(organiser, {"seed": "2"})
    )

    html = page(response)
    assert response.status_code == 422
    field = html.select_one("#f-reason").find_parent("div")
    assert "has-error" in field["class"]
    assert field.select_one(".error").get_text(strip=True) == "本轮已抽过签：重新抽签请说明原因。"
    assert [seed for (seed,) in read(db, select(Draw.seed))] == [1]


def test_a_seed_that_is_no_number_is_shown_by_the_field(organiser, db, final):
    response = organiser.post(
        control_url(final) + "/draw", data=factories.form(organiser, {"seed": "abc"})
    )

    assert response.status_code == 422
    assert page(response).select_one("#f-seed").find_parent("div").select_one(".error")
    assert read(db, select(Draw.id)) == []


def test_the_step_forms_work_without_javascript(organiser, db, final):
    organiser.post(control_url(final) + "/draw", data=factories.form(organiser, {"seed": "3"}))

    response = organiser.post(
        control_url(final),
        data=factories.form(organiser, {"action": "start", "revision": "0"}),
        follow_redirects=True,
    )

    html = page(response)
    state = read(db, select(LiveState.phase, LiveState.current_entry_id))
    assert state[0][0] == "pitching"
    current = next(e for e in final.entries if e.id == state[0][1])
    assert html.select_one("[data-live=title]").get_text(strip=True) == current.title
    assert html.select_one("[data-live=phase]").get_text(strip=True) == "路演中"
    names = [n.get_text(strip=True) for n in html.select("[data-live=panel] .name")]
    assert sorted(names) == sorted(u.name for u in final.judge_users)


def test_a_refused_step_comes_back_with_the_reason(organiser, db, final):
    response = organiser.post(
        control_url(final),
        data=factories.form(organiser, {"action": "next"}),
        follow_redirects=True,
    )

    assert page(response).select_one(".flash-error").get_text(strip=True) == "请先开始路演决赛。"
    assert read(db, select(LiveState)) == []


def test_the_control_page_shows_revealed_scores(organiser, make_client, db, world, final):
    api = api_client(make_client, world.organiser)
    order = drawn(api, final)
    step(api, final, "start")
    score(db, final, next(e for e in final.entries if e.id == order[0]))
    step(api, final, "reveal")

    html = page(organiser.get(control_url(final)))

    row = html.select_one("[data-live=revealed] tr")
    assert row.select_one("strong").get_text(strip=True) == "80.00"
    totals = [
        (s.get_text(strip=True), "dropped" in (s.get("class") or []))
        for s in row.select(".live-totals span")
    ]
    assert sorted(totals) == [
        ("70.0", True),
        ("75.0", False),
        ("80.0", False),
        ("85.0", False),
        ("90.0", True),
    ]
    snapshot = json.loads(html.select_one("#live-snapshot").string)
    assert snapshot["phase"] == "revealed"


def test_the_control_page_of_an_online_round_is_404(organiser, world):
    assert organiser.get(f"/manage/rounds/{world.preliminary.id}/live").status_code == 404


@pytest.mark.parametrize(
    ("role", "expected"),
    [("team", 403), ("judge", 403), ("other_organiser", 404)],
)
def test_the_control_page_refuses_everyone_else(make_client, world, final, role, expected):
    account = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }[role]
    client = factories.login(make_client(), account)

    assert client.get(control_url(final)).status_code == expected
    posted = client.post(control_url(final), data=factories.form(client, {"action": "start"}))
    assert posted.status_code == expected


def test_the_control_page_sends_anonymous_visitors_to_log_in(client, final):
    response = client.get(control_url(final), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


# The judges' live page.


def judge_url(final: Final) -> str:
    return f"/judge/rounds/{final.round.id}/live"


def test_the_judge_page_has_the_rubric_and_follows_the_live_state(make_client, world, final):
    judge = factories.login(make_client(), final.judge_users[0])

    html = page(judge.get(judge_url(final)))

    root = html.select_one("#judge-live")
    assert root["data-api"] == f"/api/v1/rounds/{final.round.id}/live"
    assert root["data-sheet-api"] == f"/api/v1/rounds/{final.round.id}/entries/{{entry}}/sheet"
    labels = [n.get_text(strip=True) for n in html.select(".criterion label")]
    assert labels == ["技术与创新", "市场与商业模式", "团队", "进展与可行性", "社会与临床价值"]
    assert [n.get_text(strip=True) for n in html.select(".criterion-max")] == [
        "/ 30.0",
        "/ 25.0",
        "/ 20.0",
        "/ 15.0",
        "/ 10.0",
    ]
    assert html.select_one("[data-view=waiting] h2").get_text(strip=True) == "等待下一个项目"
    assert json.loads(html.select_one("#live-snapshot").string)["phase"] == "waiting"


@pytest.mark.parametrize(("role", "expected"), [("team", 403), ("organiser", 403)])
def test_the_judge_page_is_for_judges(make_client, world, final, role, expected):
    account = world.team if role == "team" else world.organiser
    client = factories.login(make_client(), account)

    assert client.get(judge_url(final)).status_code == expected


def test_a_judge_of_another_contest_gets_404(make_client, db, world, final):
    stranger = factories.judge(db, world.other_contest, institution="别处")
    db.commit()
    account = db.get(type(world.team), stranger.user_id)
    client = factories.login(make_client(), account)

    assert client.get(judge_url(final)).status_code == 404


def test_the_judge_page_of_an_online_round_is_404(make_client, world, final):
    client = factories.login(make_client(), final.judge_users[0])

    assert client.get(f"/judge/rounds/{world.preliminary.id}/live").status_code == 404


# The big screen.


def test_the_big_screen_needs_no_login_and_shows_the_contest(client, world, final):
    response = client.get(f"/live/{final.round.id}")

    html = page(response)
    assert response.status_code == 200
    assert html.select_one(".bs-contest").get_text(strip=True) == world.contest.name
    assert html.select_one("#big-screen")["data-api"] == f"/api/v1/rounds/{final.round.id}/live"
    assert html.select_one("form") is None
    assert html.select_one("button") is None


def test_the_big_screen_names_no_judge(client, make_client, db, world, final):
    api = api_client(make_client, world.organiser)
    order = drawn(api, final)
    step(api, final, "start")
    score(db, final, next(e for e in final.entries if e.id == order[0]))
    step(api, final, "reveal")

    text = client.get(f"/live/{final.round.id}").text

    for account in final.judge_users:
        assert account.name not in text
    snapshot = json.loads(page_from(text).select_one("#live-snapshot").string)
    assert snapshot["panel"] is None
    assert snapshot["revealed"][0]["score_text"] == "80.00"


def page_from(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def test_the_big_screen_of_a_draft_contest_or_online_round_is_404(client, db, world, final):
    online = client.get(f"/live/{world.preliminary.id}")
    world.contest.status = ContestStatus.draft
    db.add(world.contest)
    db.commit()
    draft = client.get(f"/live/{final.round.id}")

    assert (online.status_code, draft.status_code) == (404, 404)
