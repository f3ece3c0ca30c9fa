"""Each input that once answered 500, now a 422 (or an ordinary answer) that changes
nothing: Unicode digits, text that cannot be stored, dates at the ends of the calendar,
too many organisers."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from contest.models import Award, Contest, Draw, Entry, Round, ScoreSheet
from tests import factories
from tests.judging_setup import arrange_scoring


@pytest.fixture(autouse=True)
def english(client) -> None:  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    return factories.bearer(client, world.organiser)


def count(db, model) -> int:  # type: ignore[no-untyped-def]
    return db.scalar(select(func.count()).select_from(model))


def locations(response) -> list[list[object]]:  # type: ignore[no-untyped-def]
    return [error["loc"] for error in response.json()["detail"]]


def page_error(response) -> str:  # type: ignore[no-untyped-def]
    page = BeautifulSoup(response.text, "html.parser")
    return " ".join(e.get_text(" ", strip=True) for e in page.select(".error, .flash-error, .lead"))


@pytest.mark.parametrize("query", ["²", "٣", "¹²³"])
def test_entry_search_by_a_unicode_digit_finds_nothing_instead_of_failing(
        client, world, scene, organiser, query):
    response = client.get(f"/api/v1/contests/{world.contest.id}/entries", params={"q": query},
                          headers=organiser)

    assert response.status_code == 200
    assert response.json() == []


def test_a_score_keyed_by_a_unicode_digit_is_an_unknown_criterion(client, db, world):
    scoring = arrange_scoring(db, world)

    response = client.put(scoring.url(scoring.entries[0]),
                          json={"scores": {"²": 10}, "submit": False},
                          headers=factories.bearer(client, world.judge_users[0]))

    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", "scores", "²"], "type": "unknown",
                                          "msg": "Unknown criterion."}]
    assert count(db, ScoreSheet) == 0


def test_awards_resolving_a_unicode_digit_entry_is_invalid(client, db, world, organiser):
    response = client.post(f"/api/v1/contests/{world.contest.id}/awards",
                           json={"resolve": {"²": "gold"}}, headers=organiser)

    assert response.status_code == 422
    assert locations(response) == [["body", "resolve"]]
    assert count(db, Award) == 0


def test_an_entry_title_with_a_lone_surrogate_is_refused_naming_the_title(
        client, db, world, organiser):
    body = ('{"track_code": "creative", "title": "AI\\ud800", "summary": "s", '
            '"institution": "i", "city": "c", "leader_name": "n", "members": []}')

    response = client.post(f"/api/v1/contests/{world.contest.id}/entries", content=body,
                           headers={**organiser, "Content-Type": "application/json"})

    assert response.status_code == 422
    assert response.json()["detail"] == [{
        "loc": ["body", "title"], "type": "string_unstorable",
        "msg": "This text holds a character that cannot be stored (NUL or a lone surrogate)."}]
    assert count(db, Entry) == 0


def test_nul_in_a_query_or_a_form_field_is_refused(client, world, organiser):
    api = client.get(f"/api/v1/contests/{world.contest.id}/entries", params={"q": "a\x00"},
                     headers=organiser)
    page = client.post("/login", data={"email": "a\x00@b.cn", "password": "x"})

    assert (api.status_code, locations(api)) == (422, [["query", "q"]])
    assert page.status_code == 422
    assert "cannot be stored" in page_error(page)


@pytest.mark.parametrize("moment", ["0001-01-01T00:30+01:00", "9999-12-31T23:59:59-14:00",
                                    "1999-12-31T23:59:59+08:00", "2101-01-01T00:00:00Z"])
def test_round_and_contest_times_outside_2000_to_2100_are_invalid(
        client, db, world, organiser, moment):
    rounds = client.patch(f"/api/v1/rounds/{world.preliminary.id}",
                          json={"opens_at": moment}, headers=organiser)
    contest = client.patch(f"/api/v1/contests/{world.contest.id}",
                           json={"registration_closes_at": moment}, headers=organiser)

    assert (rounds.status_code, contest.status_code) == (422, 422)
    assert locations(rounds) == [["body", "opens_at"]]
    assert locations(contest) == [["body", "registration_closes_at"]]
    assert rounds.json()["detail"][0]["msg"] == "Give a date between 2000 and 2100."
    db.expire_all()
    assert db.get(Round, world.preliminary.id).opens_at == world.preliminary.opens_at
    assert db.get(Contest, world.contest.id).registration_closes_at == (
        world.contest.registration_closes_at)


def test_patching_a_contest_caps_organisers_at_20_like_creating_one(client, db, world, organiser):
    response = client.patch(f"/api/v1/contests/{world.contest.id}",
                            json={"organisers": [f"单位{n}" for n in range(100)]},
                            headers=organiser)

    assert response.status_code == 422
    assert locations(response) == [["body", "organisers"]]
    db.expire_all()
    assert len(db.get(Contest, world.contest.id).organisers) < 20


def test_a_unicode_digit_seed_for_automatic_assignment_is_refused_on_the_page(client, world):
    factories.login(client, world.organiser)

    response = client.post(f"/manage/rounds/{world.preliminary.id}/assignments/auto",
                           data=factories.form(client, {"seed": "²"}))

    assert response.status_code == 422
    assert "The seed must be a whole number" in page_error(response)


def test_a_unicode_digit_draw_seed_is_refused_on_the_page(client, db, world):
    factories.login(client, world.organiser)

    response = client.post(f"/manage/rounds/{world.final.id}/live/draw",
                           data=factories.form(client, {"seed": "²"}))

    assert response.status_code == 422
    assert "Enter a whole number" in page_error(response)
    assert count(db, Draw) == 0


def test_a_unicode_digit_award_count_is_refused_on_the_page(client, db, world):
    factories.login(client, world.organiser)

    response = client.post(f"/manage/contests/{world.contest.id}/awards",
                           data=factories.form(client, {"gold": "²", "scope": "per_track"}))

    assert response.status_code == 422
    assert "Enter a whole number, 0 or more." in page_error(response)
    assert count(db, Award) == 0


def test_a_unicode_digit_advancement_entry_is_ignored_on_the_page(client, world, scene):
    factories.login(client, world.organiser)

    response = client.post(f"/manage/rounds/{world.preliminary.id}/advancement",
                           data=factories.form(client, {"entry": "²", "reason": "x"}))

    assert response.status_code in (409, 422)


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/contests/{contest}", "name"), ("/api/v1/contests/{contest}", "organisers"),
    ("/api/v1/rounds/{round}", "judges_per_entry"), ("/api/v1/rounds/{round}", "blind"),
])
def test_an_explicit_null_for_a_field_without_an_empty_state_is_invalid(
        client, db, world, organiser, path, field):
    url = path.format(contest=world.contest.id, round=world.preliminary.id)

    response = client.patch(url, json={field: None}, headers=organiser)

    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["body", field], "type": "null",
                                          "msg": "This field cannot be empty."}]
