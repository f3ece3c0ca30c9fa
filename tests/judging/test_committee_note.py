"""The judge's two texts: feedback to the team (published to teams) and a note to the
committee (organisers only, never shown to teams)."""

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.models import ScoreSheet, utcnow
from tests import factories
from tests.judging_setup import Scoring, arrange_scoring, read


@pytest.fixture
def scoring(db: Session, world: factories.World) -> Scoring:
    return arrange_scoring(db, world)


@pytest.fixture
def judge_headers(client, world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"
    return factories.bearer(client, world.judge_users[0])


def test_feedback_and_note_are_saved_apart(client, db, scoring, judge_headers):
    url = scoring.url(scoring.entries[0])
    body = {"scores": {}, "comment": "商业模式清晰", "committee_note": "团队与评委甲曾合作"}

    saved = client.put(url, json=body, headers=judge_headers)
    kept = client.put(url, json={"scores": {}}, headers=judge_headers)

    assert saved.status_code == 200, saved.text
    assert kept.json()["comment"] == "商业模式清晰"
    assert kept.json()["committee_note"] == "团队与评委甲曾合作"
    assert client.get(url, headers=judge_headers).json()["committee_note"] == "团队与评委甲曾合作"
    stored = read(db, select(ScoreSheet.comment, ScoreSheet.committee_note))
    assert stored == [("商业模式清晰", "团队与评委甲曾合作")]


def test_note_too_long_is_refused_naming_it(client, scoring, judge_headers):
    url = scoring.url(scoring.entries[0])

    response = client.put(
        url, json={"scores": {}, "committee_note": "长" * 5001}, headers=judge_headers
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "committee_note"


def test_scoring_page_says_who_reads_each_text(client, scoring, world):
    factories.login(client, world.judge_users[0])
    client.headers["Accept-Language"] = "en"
    page_url = f"/judge/rounds/{world.preliminary.id}/entries/{scoring.entries[0].id}"

    saved = client.post(
        page_url,
        data=factories.form(client, {"comment": "给团队", "committee_note": "给组委会"}),
        follow_redirects=False,
    )
    page = client.get(page_url).text

    assert saved.status_code == 303
    assert "Feedback to the team" in page
    assert "Only the organisers read it; teams never see it." in page
    assert "给组委会" in page


def test_team_reads_the_feedback_but_never_the_note(client, db, world):
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    sheet = factories.sheet(db, world.preliminary, world.judges[0], entry, [250], comment="反馈")
    sheet.committee_note = "仅组委会可见的备注"
    world.preliminary.feedback_published_at = utcnow()
    db.add_all([sheet, world.preliminary])
    db.commit()
    factories.login(client, world.team)

    dashboard = client.get("/team").text
    entry_api = client.get(f"/api/v1/entries/{entry.id}").text

    assert "反馈" in dashboard
    assert "仅组委会可见的备注" not in dashboard
    assert "仅组委会可见的备注" not in entry_api
