"""The organiser's assignments and progress pages: figures shown, forms that change things."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event, select
from sqlmodel import Session

from contest.models import Assignment, AuditRecord, ScoreSheet
from tests import factories
from tests.factories import World
from tests.judging_setup import read


@pytest.fixture
def entries(db: Session, world: World) -> list:
    world.preliminary.judges_per_entry = 2
    db.add(world.preliminary)
    items = [
        factories.entry(
            db,
            world.contest,
            world.startup,
            title=f"项目{i}",
            institution=f"大学{i}",
            rounds=(world.preliminary,),
        )
        for i in range(3)
    ]
    db.commit()
    return items


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"
    return factories.login(client, world.organiser)


def _url(world: World, tail: str) -> str:
    return f"/manage/rounds/{world.preliminary.id}/{tail}"


def _soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def _pairs(db: Session) -> list[tuple[int, int]]:
    return sorted(read(db, select(Assignment.judge_id, Assignment.entry_id)))


def test_assignments_page_shows_figures_and_rows(organiser, db, world, entries):
    factories.assign(db, world.preliminary, world.judges[0], entries[0])
    db.commit()

    soup = _soup(organiser.get(_url(world, "assignments")))

    values = [s.select_one(".value").get_text() for s in soup.select(".stats .stat")]
    assert values == ["3", "3", "2", "1", "0–1", "3"]
    rows = soup.select("table.assignments-table tbody tr")
    assert [r.select_one("strong").get_text() for r in rows] == ["项目0", "项目1", "项目2"]
    assert [c.get_text(" ", strip=True).split()[0] for c in rows[0].select("li.chip")] == ["评委1"]
    options = [o["value"] for o in rows[0].select("select[name=judge_id] option")]
    assert options == [str(world.judges[1].id), str(world.judges[2].id)]
    assert soup.select_one("nav.tabs a[aria-current=page]")["href"].endswith("/assignments")


def test_run_auto_assignment_from_page(organiser, db, world, entries):
    response = organiser.post(
        _url(world, "assignments/auto"),
        data=factories.form(organiser, {"seed": "12"}),
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert len(_pairs(db)) == 6
    [(after,)] = read(db, select(AuditRecord.after).where(AuditRecord.action == "assignment.auto"))
    assert after["seed"] == 12


def test_auto_assignment_infeasible_reshows_page_with_reason(organiser, db, world, entries):
    world.preliminary.judges_per_entry = 4
    db.add(world.preliminary)
    db.commit()

    response = organiser.post(
        _url(world, "assignments/auto"), data=factories.form(organiser, {"seed": ""})
    )

    assert response.status_code == 409
    error = _soup(response).select_one("#assign-error").get_text()
    assert "项目0" in error
    assert "fewer than 4" in error
    assert _pairs(db) == []


def test_bad_seed_422(organiser, db, world, entries):
    response = organiser.post(
        _url(world, "assignments/auto"), data=factories.form(organiser, {"seed": "x1"})
    )

    assert response.status_code == 422
    assert _pairs(db) == []


def test_add_and_remove_from_page(organiser, db, world, entries):
    pair = {"judge_id": world.judges[1].id, "entry_id": entries[1].id, "back": "?page=1"}

    added = organiser.post(
        _url(world, "assignments/add"), data=factories.form(organiser, pair), follow_redirects=False
    )
    after_add = _pairs(db)
    removed = organiser.post(
        _url(world, "assignments/remove"),
        data=factories.form(organiser, pair),
        follow_redirects=False,
    )

    assert added.headers["location"] == _url(world, "assignments") + "?page=1"
    assert after_add == [(world.judges[1].id, entries[1].id)]
    assert removed.status_code == 303
    assert _pairs(db) == []


def test_add_conflicting_judge_shows_error(organiser, db, world):
    same = factories.entry(
        db, world.contest, world.startup, institution="机构1", rounds=(world.preliminary,)
    )
    db.commit()

    response = organiser.post(
        _url(world, "assignments/add"),
        data=factories.form(organiser, {"judge_id": world.judges[0].id, "entry_id": same.id}),
    )

    assert "conflict" in _soup(response).select_one(".flash-error").get_text()
    assert _pairs(db) == []


def test_progress_page_shows_judges_entries_and_reminder(organiser, db, world, entries):
    for entry in entries[:2]:
        factories.assign(db, world.preliminary, world.judges[0], entry)
    factories.assign(db, world.preliminary, world.judges[1], entries[0])
    factories.sheet(db, world.preliminary, world.judges[1], entries[0], [100] * 5)
    db.commit()

    soup = _soup(organiser.get(_url(world, "progress")))

    assert soup.select_one(".stats .stat .value").get_text() == "1 / 3"
    judge_rows = soup.select("section.card")[0].select("tbody tr")
    figures = {
        r.select_one("strong").get_text(): [td.get_text(strip=True) for td in r.select("td.num")]
        for r in judge_rows
    }
    assert figures == {"评委1": ["2", "0", "0"], "评委2": ["1", "1", "0"], "评委3": ["0", "0", "0"]}
    assert soup.select_one("#reminder-emails").get_text() == "judge1@example.com"
    assert soup.select_one(".reminder form.reminder-send button.btn-primary") is not None
    mailto = soup.select_one(".reminder a.btn[href^='mailto:']")["href"]
    assert mailto.startswith("mailto:?bcc=judge1@example.com&subject=")
    assert "/judge" in soup.select_one("#reminder-text").get_text()


def test_progress_missing_filter_lists_only_incomplete_entries(organiser, db, world, entries):
    for entry in entries:
        factories.assign(db, world.preliminary, world.judges[0], entry)
        factories.assign(db, world.preliminary, world.judges[1], entry)
        factories.sheet(db, world.preliminary, world.judges[0], entry, [100] * 5)
    factories.sheet(db, world.preliminary, world.judges[1], entries[1], [100] * 5)
    db.commit()

    soup = _soup(organiser.get(_url(world, "progress?show=missing")))

    titles = [
        s.get_text() for s in soup.select("section.card")[-1].select("td.title-cell > strong")
    ]
    assert titles == ["项目0", "项目2"]


def test_reopen_from_progress_page(organiser, db, world, entries):
    factories.assign(db, world.preliminary, world.judges[0], entries[0])
    factories.sheet(db, world.preliminary, world.judges[0], entries[0], [100] * 5)
    db.commit()

    response = organiser.post(
        _url(world, "sheets/reopen"),
        data=factories.form(
            organiser,
            {"judge_id": world.judges[0].id, "entry_id": entries[0].id, "reason": "评委申请修改"},
        ),
        follow_redirects=False,
    )

    assert response.headers["location"] == _url(world, "progress")
    assert read(db, select(ScoreSheet.state)) == [("draft",)]
    [(reason,)] = read(db, select(AuditRecord.reason).where(AuditRecord.action == "sheet.reopen"))
    assert reason == "评委申请修改"


def test_reopen_without_reason_changes_nothing(organiser, db, world, entries):
    factories.assign(db, world.preliminary, world.judges[0], entries[0])
    factories.sheet(db, world.preliminary, world.judges[0], entries[0], [100] * 5)
    db.commit()

    organiser.post(
        _url(world, "sheets/reopen"),
        data=factories.form(
            organiser, {"judge_id": world.judges[0].id, "entry_id": entries[0].id, "reason": ""}
        ),
    )

    assert read(db, select(ScoreSheet.state)) == [("submitted",)]


PAGES = ["assignments", "progress"]
POSTS = ["assignments/auto", "assignments/add", "assignments/remove", "sheets/reopen"]


@pytest.mark.parametrize("tail", PAGES)
def test_pages_anonymous_redirect(client, world, tail):
    response = client.get(_url(world, tail), follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("tail", PAGES + POSTS)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("judge", 403), ("team", 403), ("other_team", 403), ("other_organiser", 404)],
)
def test_pages_other_roles_refused(client, db, world, entries, tail, who, expected):
    factories.assign(db, world.preliminary, world.judges[0], entries[0])
    db.commit()
    account = {
        "judge": world.judge_users[0],
        "team": world.team,
        "other_team": world.other_team,
        "other_organiser": world.other_organiser,
    }[who]
    factories.login(client, account)

    if tail in PAGES:
        response = client.get(_url(world, tail))
    else:
        response = client.post(
            _url(world, tail),
            data=factories.form(
                client, {"judge_id": world.judges[0].id, "entry_id": entries[0].id, "reason": "x"}
            ),
        )

    assert response.status_code == expected
    assert _pairs(db) == [(world.judges[0].id, entries[0].id)]


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


@pytest.mark.parametrize("tail", PAGES)
def test_page_queries_do_not_grow_with_entries(organiser, db, database, world, entries, tail):
    before = _statements(database, organiser, _url(world, tail))
    for index in range(8):
        extra = factories.entry(
            db, world.contest, world.creative, title=f"追加{index}", rounds=(world.preliminary,)
        )
        factories.assign(db, world.preliminary, world.judges[index % 3], extra)
        factories.sheet(db, world.preliminary, world.judges[index % 3], extra, [10])
    db.commit()

    assert _statements(database, organiser, _url(world, tail)) == before


def test_rebalance_checkbox_keeps_current_assignments(organiser, db, world, entries):
    organiser.post(_url(world, "assignments/auto"), data=factories.form(organiser, {"seed": "1"}))
    first = _pairs(db)

    organiser.post(
        _url(world, "assignments/auto"),
        data=factories.form(organiser, {"seed": "2", "rebalance": "1"}),
    )

    assert _pairs(db) == first
    assert len(first) == 6
