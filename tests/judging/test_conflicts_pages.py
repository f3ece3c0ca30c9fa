"""The conflicts page, the judge's declarations page and the dashboard's prompt."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from contest.models import Assignment, ConflictException, InstitutionFamily, Judge
from tests import factories
from tests.judging_setup import read


def _soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"
    return factories.login(client, world.organiser)


@pytest.fixture
def family_conflict(db, world):  # type: ignore[no-untyped-def]
    world.judges[0].institution = "复旦大学附属中山医院"
    entry = factories.entry(
        db, world.contest, world.startup, title="心脏支架", institution="复旦大学",
        rounds=(world.preliminary,),
    )
    db.commit()
    return entry


def test_conflicts_page_lists_reason_and_records_an_exception(organiser, db, world,
                                                               family_conflict):
    url = f"/manage/rounds/{world.preliminary.id}/conflicts"

    soup = _soup(organiser.get(url))

    [row] = soup.select("table.conflicts-table tbody tr")
    assert "心脏支架" in row.get_text()
    assert "复旦大学附属中山医院" in row.get_text()
    assert soup.select_one("nav.tabs a[aria-current=page]").get_text() == "Conflicts"
    form = row.select_one("form")
    data = {i["name"]: i.get("value", "") for i in form.select("input") if i.get("name")}
    data["reason"] = "不同院区"

    response = organiser.post(form["action"], data=data, follow_redirects=False)

    assert response.status_code == 303
    [(reason,)] = read(db, select(ConflictException.reason))
    assert reason == "不同院区"
    assert "不同院区" in organiser.get(url).text


def test_family_form_adds_a_family_and_refuses_one_name(organiser, db, world):
    url = f"/manage/rounds/{world.preliminary.id}/conflicts/families"
    csrf = factories.csrf_token(organiser)

    one = organiser.post(url, data={"csrf_token": csrf, "members": "瑞金医院"},
                         follow_redirects=False)
    two = organiser.post(url, data={"csrf_token": csrf, "members": "瑞金医院\n上海交通大学"},
                         follow_redirects=False)

    assert (one.status_code, two.status_code) == (303, 303)
    assert read(db, select(InstitutionFamily.members)) == [(["瑞金医院", "上海交通大学"],)]


def test_judges_page_offers_entries_to_choose(organiser, db, world, family_conflict):
    soup = _soup(organiser.get(f"/manage/contests/{world.contest.id}/judges"))

    options = soup.select("select#f-entry option")
    assert [o.get_text() for o in options][1:] == [f"#{family_conflict.id} 心脏支架"]


def test_dashboard_asks_for_declarations_until_saved(client, db, world):
    client.headers["Accept-Language"] = "en"
    factories.login(client, world.judge_users[0])
    link = f"/judge/contests/{world.contest.id}/declarations"

    before = _soup(client.get("/judge"))
    page = _soup(client.get(link))
    saved = client.post(
        link,
        data={
            "csrf_token": factories.csrf_token(client),
            "affiliations": "复旦大学附属中山医院\n",
            "companies": "数字科技有限公司, 91310000MA1FL4C54X",
            "conflicts": "秘密大学，前雇主",
        },
        follow_redirects=False,
    )
    after = _soup(client.get("/judge"))

    assert before.select_one(".declare-prompt a")["href"] == link
    assert page.select_one("textarea#f-affiliations") is not None
    assert saved.status_code == 303
    assert after.select_one(".declare-prompt") is None
    [(affiliations, companies)] = read(
        db, select(Judge.affiliations, Judge.companies).where(Judge.id == world.judges[0].id)
    )
    assert affiliations == ["复旦大学附属中山医院"]
    assert companies == [{"name": "数字科技有限公司", "credit_code": "91310000MA1FL4C54X"}]
    again = _soup(client.get(link))
    assert "秘密大学, 前雇主" in again.select_one("textarea#f-conflicts").get_text()


def test_declaration_without_reason_is_shown_again_and_changes_nothing(client, db, world):
    client.headers["Accept-Language"] = "en"
    factories.login(client, world.judge_users[0])
    link = f"/judge/contests/{world.contest.id}/declarations"

    response = client.post(
        link, data={"csrf_token": factories.csrf_token(client), "conflicts": "秘密大学"}
    )

    assert response.status_code == 422
    assert _soup(response).select_one(".flash-error") is not None
    assert "秘密大学" in _soup(response).select_one("textarea#f-conflicts").get_text()
    [(declared_at,)] = read(db, select(Judge.declared_at).where(Judge.id == world.judges[0].id))
    assert declared_at is None


def test_declaration_from_the_page_moves_an_unsubmitted_assignment(client, db, world,
                                                                    family_conflict):
    world.judges[0].institution = "别处"
    factories.assign(db, world.preliminary, world.judges[0], family_conflict)
    db.commit()
    factories.login(client, world.judge_users[0])

    client.post(
        f"/judge/contests/{world.contest.id}/declarations",
        data={"csrf_token": factories.csrf_token(client), "affiliations": "复旦大学上海医学院"},
    )

    judges = [j for (j,) in read(db, select(Assignment.judge_id))]
    assert world.judges[0].id not in judges
    assert len(judges) == 1


def test_organiser_removes_a_family_from_the_page(organiser, db, world):
    family = InstitutionFamily(contest_id=world.contest.id, members=["瑞金医院", "上海交通大学"])
    db.add(family)
    db.commit()
    family_id = family.id
    url = f"/manage/rounds/{world.preliminary.id}/conflicts"

    button = _soup(organiser.get(url)).select_one(f"#family-{family_id} form")
    removed = organiser.post(button["action"], data=factories.form(organiser))

    assert button.get("data-confirm")
    assert removed.status_code == 200  # back on the conflicts page
    assert _soup(removed).select(".family-list li") == []
    db.expire_all()
    assert db.scalars(select(InstitutionFamily)).all() == []
