"""The judge's pages: dashboard, scoring page (with and without JavaScript), recusal."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event, select
from sqlmodel import Session

from contest.models import Assignment, Conflict, CriterionScore, Document, ScoreSheet, utcnow
from tests import factories
from tests.judging_setup import Scoring, arrange_scoring, read


@pytest.fixture
def scoring(db: Session, world: factories.World) -> Scoring:
    return arrange_scoring(db, world)


@pytest.fixture
def judge_client(client, scoring):  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"
    return factories.login(client, scoring.world.judge_users[0])


def _page(scoring: Scoring, index: int = 0) -> str:
    return f"/judge/rounds/{scoring.round_id}/entries/{scoring.entries[index].id}"


def _soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def test_dashboard_lists_round_entries_states_and_counts(judge_client, db, scoring):
    factories.sheet(
        db,
        scoring.world.preliminary,
        scoring.world.judges[0],
        scoring.entries[0],
        [100, 100, 100, 100, 100],
    )
    db.commit()

    soup = _soup(judge_client.get("/judge"))

    [card] = soup.select("section.judge-round")
    assert (
        card.select_one("h2").get_text(" ", strip=True).startswith(scoring.world.preliminary.name)
    )
    items = card.select("li.queue-item")
    assert [i.select_one(".queue-title").get_text() for i in items] == ["参赛项目1", "参赛项目2"]
    assert [i["class"][1] for i in items] == ["state-submitted", "state-todo"]
    assert items[0].select_one(".queue-total").get_text() == "50.0"
    counts = [s.select_one(".value").get_text() for s in card.select(".judge-counts .stat")]
    assert counts == ["2", "1", "0", "1"]
    assert card.select_one("a.btn-primary")["href"] == _page(scoring, 1)


def test_dashboard_empty_for_unassigned_judge(client, scoring):
    factories.login(client, scoring.world.judge_users[2])

    soup = _soup(client.get("/judge"))

    assert soup.select("section.judge-round") == []
    assert soup.select_one(".empty-state") is not None


def test_scoring_page_shows_entry_rubric_inputs_and_navigation(judge_client, db, scoring):
    entry = scoring.entries[0]
    db.add(
        Document(
            entry_id=entry.id,
            kind="business_plan",
            filename="计划书.pdf",
            stored_name="abc123",
            clean_stored_name="abc123-clean",
            size=2_097_152,
            sha256="0" * 64,
        )
    )
    db.commit()

    soup = _soup(judge_client.get(_page(scoring)))

    assert soup.select_one("h1").get_text() == "参赛项目1"
    facts = soup.select_one("dl.facts").get_text(" ", strip=True)
    assert "大学1" in facts
    assert "张三、李四" in facts
    assert "上海" in facts
    inputs = soup.select("#sheet-form input[type=number]")
    assert [i["name"] for i in inputs] == [f"score-{c.id}" for c in scoring.criteria]
    assert {(i["inputmode"], i["step"], i["min"]) for i in inputs} == {("decimal", "0.1", "0")}
    assert [i["max"] for i in inputs] == ["30.0", "25.0", "20.0", "15.0", "10.0"]
    assert soup.select_one("#sheet-total").get_text() == "0.0"
    doc_id = _doc_id(db)
    [doc] = soup.select("ul.documents a.btn")
    assert doc["href"] == f"/documents/{doc_id}?inline=1"
    assert soup.select_one("iframe")["data-src"] == f"/documents/{doc_id}?inline=1"
    assert soup.select_one("a[rel=next]")["href"] == _page(scoring, 1)
    assert soup.select_one("a[rel=prev]") is None
    assert soup.select_one("#scoring-messages") is not None
    form = soup.select_one("#sheet-form")
    assert form["data-api"] == f"/api/v1/rounds/{scoring.round_id}/entries/{entry.id}/sheet"
    assert form["data-locked"] == "false"


@pytest.mark.parametrize("blind", [False, True], ids=["open", "blind"])
def test_a_document_without_a_cleaned_copy_is_not_previewed(judge_client, db, scoring, blind):
    """Only the cleaned copy is read in the browser: the original comes as a download, and
    never to a blind round's judge (its metadata may name the team)."""
    scoring.world.preliminary.blind = blind
    db.add(scoring.world.preliminary)
    db.add(Document(entry_id=scoring.entries[0].id, kind="business_plan", filename="计划书.pdf",
                    stored_name="abc123", size=1000, sha256="0" * 64))
    db.commit()

    soup = _soup(judge_client.get(_page(scoring)))

    line = soup.select_one("ul.documents li")
    assert line.select("iframe, details.doc-preview") == []
    links = [a["href"] for a in line.select("a.btn")]
    if blind:
        assert links == []
        assert "could not be made safe for blind review" in line.get_text()
    else:
        assert links == [f"/documents/{_doc_id(db)}"]
        assert line.select_one("a.btn").has_attr("download")


def _doc_id(db: Session) -> int:
    return read(db, select(Document.id))[0][0]


def test_blind_round_hides_members_and_institution(judge_client, db, scoring):
    scoring.world.preliminary.blind = True
    db.add(scoring.world.preliminary)
    db.commit()

    soup = _soup(judge_client.get(_page(scoring)))

    page_text = soup.select_one("article.entry-card").get_text(" ", strip=True)
    assert "大学1" not in page_text
    assert "张三" not in page_text
    assert "王五" not in page_text
    assert "医疗器械" in page_text
    assert "上海" not in page_text  # the city names the team too (docs/api.md "Fair judging")
    assert "参赛项目1" in page_text
    assert soup.select("dd.who") == []


def test_submitted_sheet_is_read_only(judge_client, db, scoring):
    factories.sheet(
        db,
        scoring.world.preliminary,
        scoring.world.judges[0],
        scoring.entries[0],
        [275, 200, 150, 120, 81],
    )
    db.commit()

    soup = _soup(judge_client.get(_page(scoring)))

    inputs = soup.select("#sheet-form input[type=number]")
    assert all(i.has_attr("disabled") for i in inputs)
    assert [i["value"] for i in inputs] == ["27.5", "20.0", "15.0", "12.0", "8.1"]
    assert soup.select_one("#sheet-total").get_text() == "82.6"
    assert soup.select("button[value=submit]") == []
    assert soup.select_one("#sheet-form")["data-locked"] == "true"


def test_unassigned_entry_page_404(judge_client, scoring):
    assert judge_client.get(_page(scoring, 2)).status_code == 404


def test_no_js_save_draft_redirects_and_stores(judge_client, db, scoring):
    first = scoring.criteria[0]

    response = judge_client.post(
        _page(scoring),
        data=factories.form(
            judge_client, {f"score-{first.id}": "27.5", "comment": "不错", "action": "save"}
        ),
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert response.headers["location"] == _page(scoring)
    [(sheet,)] = read(db, select(ScoreSheet))
    assert (sheet.state, sheet.comment) == ("draft", "不错")
    assert read(db, select(CriterionScore.criterion_id, CriterionScore.value_tenths)) == [
        (first.id, 275)
    ]


def test_no_js_bad_value_reshown_next_to_field(judge_client, db, scoring):
    first, second = scoring.criteria[:2]

    response = judge_client.post(
        _page(scoring),
        data=factories.form(
            judge_client,
            {f"score-{first.id}": "27.55", f"score-{second.id}": "abc", "action": "save"},
        ),
    )

    assert response.status_code == 422
    soup = _soup(response)
    assert "one decimal" in soup.select_one(f"#e-score-{first.id}").get_text()
    assert "number" in soup.select_one(f"#e-score-{second.id}").get_text()
    assert soup.select_one(f"#score-{first.id}")["value"] == "27.55"
    assert read(db, select(ScoreSheet)) == []


def test_no_js_submit_asks_confirmation_with_total_then_submits(judge_client, db, scoring):
    values = {
        f"score-{c.id}": v
        for c, v in zip(scoring.criteria, ["27.5", "20", "15", "12", "8"], strict=True)
    }

    asked = judge_client.post(
        _page(scoring),
        data=factories.form(judge_client, {**values, "action": "submit"}),
        follow_redirects=False,
    )
    confirm_page = _soup(judge_client.get(asked.headers["location"]))
    panel = confirm_page.select_one(".confirm-panel")
    hidden = {i["name"]: i["value"] for i in panel.select("input[type=hidden]")}
    done = judge_client.post(
        _page(scoring), data={**hidden, "action": "confirm"}, follow_redirects=False
    )

    assert asked.headers["location"] == _page(scoring) + "?confirm=1"
    assert "82.5" in panel.get_text()
    assert done.status_code == 303
    assert read(db, select(ScoreSheet.state)) == [("submitted",)]


def test_no_js_submit_incomplete_marks_missing_and_keeps_draft(judge_client, db, scoring):
    first = scoring.criteria[0]

    response = judge_client.post(
        _page(scoring),
        data=factories.form(judge_client, {f"score-{first.id}": "10", "action": "submit"}),
    )

    assert response.status_code == 422
    soup = _soup(response)
    missing = [p["id"] for p in soup.select("p.error") if not p.has_attr("hidden")]
    assert missing == [f"e-score-{c.id}" for c in scoring.criteria[1:]]
    assert read(db, select(ScoreSheet.state)) == [("draft",)]


def test_no_js_save_when_round_closed_shows_error(judge_client, db, scoring):
    scoring.world.preliminary.closes_at = utcnow() - timedelta(minutes=1)
    db.add(scoring.world.preliminary)
    db.commit()

    response = judge_client.post(
        _page(scoring), data=factories.form(judge_client, {"action": "save"})
    )

    soup = _soup(response)
    assert "closed" in soup.select_one(".flash-error").get_text()
    assert read(db, select(ScoreSheet)) == []


def test_form_post_without_csrf_403(judge_client, db, scoring):
    response = judge_client.post(_page(scoring), data={"action": "save"})

    assert response.status_code == 403
    assert read(db, select(ScoreSheet)) == []


def test_recuse_from_page_reassigns_and_redirects(judge_client, db, scoring):
    entry = scoring.entries[0]

    response = judge_client.post(
        f"{_page(scoring)}/recuse",
        data=factories.form(judge_client, {"reason": "曾指导该团队"}),
        follow_redirects=False,
    )

    assert response.headers["location"] == "/judge"
    assert read(db, select(Conflict.judge_id, Conflict.reason)) == [
        (scoring.world.judges[0].id, "曾指导该团队")
    ]
    judges_on = {
        row[0]
        for row in read(db, select(Assignment.judge_id).where(Assignment.entry_id == entry.id))
    }
    assert scoring.world.judges[0].id not in judges_on
    assert len(judges_on) == 1


def test_recuse_without_reason_reshows_form(judge_client, db, scoring):
    response = judge_client.post(
        f"{_page(scoring)}/recuse", data=factories.form(judge_client, {"reason": ""})
    )

    assert response.status_code == 422
    assert _soup(response).select_one("details.recuse")["open"] is not None
    assert read(db, select(Conflict)) == []


@pytest.mark.parametrize("path", ["/judge", "entry"])
def test_judge_pages_anonymous_redirect_to_login(client, scoring, path):
    url = _page(scoring) if path == "entry" else path

    response = client.get(url, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("who", ["organiser", "team", "other_team"])
@pytest.mark.parametrize("path", ["/judge", "entry"])
def test_judge_pages_other_roles_403(client, scoring, who, path):
    world = scoring.world
    account = {"organiser": world.organiser, "team": world.team, "other_team": world.other_team}
    factories.login(client, account[who])

    response = client.get(_page(scoring) if path == "entry" else path)

    assert response.status_code == 403


def test_judge_of_other_round_cannot_open_entry_404(client, scoring):
    factories.login(client, scoring.world.judge_users[1])

    assert client.get(_page(scoring)).status_code == 404


def _statements(database, client, url: str) -> int:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    return len(seen)


def test_dashboard_and_scoring_page_queries_do_not_grow_with_entries(
    judge_client, db, database, scoring
):
    factories.sheet(
        db, scoring.world.preliminary, scoring.world.judges[0], scoring.entries[1], [10]
    )
    db.commit()
    few_dashboard = _statements(database, judge_client, "/judge")
    few_page = _statements(database, judge_client, _page(scoring))
    for index in range(8):
        extra = factories.entry(
            db,
            scoring.world.contest,
            scoring.world.creative,
            rounds=(scoring.world.preliminary,),
            title=f"追加{index}",
        )
        factories.assign(db, scoring.world.preliminary, scoring.world.judges[0], extra)
        factories.sheet(db, scoring.world.preliminary, scoring.world.judges[0], extra, [10, 20])
    db.commit()

    assert _statements(database, judge_client, "/judge") == few_dashboard
    assert _statements(database, judge_client, _page(scoring)) == few_page


def test_sheet_and_recusal_mistakes_get_the_same_messages_through_the_api_and_the_page(
    judge_client, make_client, db, scoring
):
    first, second = scoring.criteria[:2]
    api = make_client()
    api.headers.update(
        {**factories.bearer(api, scoring.world.judge_users[0]), "Accept-Language": "en"}
    )

    page = judge_client.post(
        _page(scoring),
        data=factories.form(
            judge_client,
            {f"score-{first.id}": "27.55", f"score-{second.id}": "99", "action": "save"},
        ),
    )
    sheet = api.put(
        scoring.url(scoring.entries[0]),
        json={"scores": {str(first.id): 27.55, str(second.id): 99}, "submit": False},
    )
    page_recusal = judge_client.post(
        f"{_page(scoring)}/recuse", data=factories.form(judge_client, {"reason": "  "})
    )
    api_recusal = api.post(
        f"/api/v1/rounds/{scoring.round_id}/entries/{scoring.entries[0].id}/recuse",
        json={"reason": "  "},
    )

    assert [r.status_code for r in (page, sheet, page_recusal, api_recusal)] == [422] * 4
    in_api = {str(e["loc"][-1]): e["msg"] for e in sheet.json()["detail"]}
    on_page = {
        str(c.id): _soup(page).select_one(f"#e-score-{c.id}").get_text(strip=True)
        for c in (first, second)
    }
    assert on_page == in_api
    assert "at most one decimal" in in_api[str(first.id)]
    [recusal_error] = api_recusal.json()["detail"]
    assert recusal_error["loc"] == ["body", "reason"]
    assert _soup(page_recusal).select_one("details.recuse p.error").get_text(
        strip=True
    ) == recusal_error["msg"]
    assert read(db, select(ScoreSheet)) == []
    assert read(db, select(Conflict)) == []
