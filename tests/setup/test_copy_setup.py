"""Copying a contest's set-up into a new contest: tracks, rounds with settings and rubric,
judges and settings come along; entries, sheets, results and the team do not."""

from datetime import datetime
from decimal import Decimal

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from contest.core.enums import Role, Tier
from contest.models import (
    Assignment,
    AuditRecord,
    Award,
    Contest,
    ContestOrganiser,
    Criterion,
    Entry,
    InstitutionFamily,
    Judge,
    Round,
    RoundEntry,
    ScoreSheet,
    Track,
)
from tests import factories

BODY = {
    "name": "2024年第三届“天骄湾杯”生命健康创新创业大赛",
    "year": 2024,
    "edition": 3,
    "registration_opens_at": "2024-05-01T09:00:00+08:00",
    "registration_closes_at": "2024-07-01T18:00:00+08:00",
}


def arrange_last_year(db, world) -> None:
    """Last year's contest with its settings, a tuned round, a panel, entries and results."""
    world.contest.series = "天骄湾杯"
    world.contest.organisers = ["普陀区科委", "某医学院"]
    world.contest.max_entries_per_team = 2
    world.contest.objection_days = 7
    world.startup.max_company_age_years = 5
    world.startup.name_en = "Startup track"
    world.preliminary.judges_per_entry = 4
    world.preliminary.blind = True
    world.preliminary.carry_over_weight = Decimal("0.3")
    world.final.pitch_seconds = 300
    world.final.qa_seconds = 240
    world.judges[0].title = "教授"
    world.judges[0].expertise = ["医疗器械"]
    world.judges[0].affiliations = ["瑞金医院"]
    world.judges[2].active = False
    db.add(InstitutionFamily(contest_id=world.contest.id, members=["复旦大学", "复旦"]))
    entry = factories.entry(db, world.contest, world.startup, owner=world.team,
                            rounds=(world.preliminary,))
    factories.assign(db, world.preliminary, world.judges[0], entry)
    factories.sheet(db, world.preliminary, world.judges[0], entry, [250, 200, 150, 100, 80])
    db.add(Award(contest_id=world.contest.id, entry_id=entry.id, tier=Tier.gold))
    viewer = factories.user(db, Role.organiser, email="viewer@example.com")
    db.add(ContestOrganiser(contest_id=world.contest.id, user_id=viewer.id, role="viewer"))
    db.commit()


def count(db, model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.scalar(query)


def rubric(db, round_id: int) -> list[tuple[object, ...]]:
    return [
        (c.name, c.name_en, c.description, c.max_tenths, c.tiebreak_priority, c.position)
        for c in db.scalars(
            select(Criterion).where(Criterion.round_id == round_id).order_by(Criterion.position)
        )
    ]


def test_copy_brings_the_setup_and_nothing_of_last_years_entries(client, db, world) -> None:
    arrange_last_year(db, world)
    headers = factories.bearer(client, world.organiser)

    response = client.post(f"/api/v1/contests/{world.contest.id}/copy", json=BODY, headers=headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in ("name", "year", "edition", "status", "series", "organisers",
                                 "max_entries_per_team", "objection_days")} == {
        "name": BODY["name"], "year": 2024, "edition": 3, "status": "draft",
        "series": "天骄湾杯", "organisers": ["普陀区科委", "某医学院"],
        "max_entries_per_team": 2, "objection_days": 7,
    }
    assert datetime.fromisoformat(body["registration_closes_at"]) == datetime.fromisoformat(
        BODY["registration_closes_at"])
    new_id = body["id"]
    db.expire_all()

    tracks = db.scalars(select(Track).where(Track.contest_id == new_id).order_by(Track.position))
    assert [(t.code, t.name, t.name_en, t.requires_company, t.max_company_age_years)
            for t in tracks] == [("startup", "创业组", "Startup track", True, 5),
                                 ("creative", "创意组", "", False, None)]
    old_rounds = db.scalars(
        select(Round).where(Round.contest_id == world.contest.id).order_by(Round.position)
    ).all()
    new_rounds = db.scalars(
        select(Round).where(Round.contest_id == new_id).order_by(Round.position)
    ).all()
    settings = ("name", "kind", "position", "mode", "judges_per_entry", "aggregation",
                "trim_min_judges", "normalization", "carry_over_weight", "blind",
                "advance_count", "pitch_seconds", "qa_seconds")
    assert [[getattr(r, s) for s in settings] for r in new_rounds] == [
        [getattr(r, s) for s in settings] for r in old_rounds
    ]
    assert new_rounds[0].carry_over_weight == Decimal("0.3")
    assert new_rounds[2].pitch_seconds == 300
    assert all(r.opens_at is None and r.closes_at is None for r in new_rounds)
    for old, new in zip(old_rounds, new_rounds, strict=True):
        assert rubric(db, new.id) == rubric(db, old.id) != []

    panel = db.scalars(select(Judge).where(Judge.contest_id == new_id).order_by(Judge.id)).all()
    assert [(j.user_id, j.institution, j.title, j.expertise, j.affiliations, j.active,
             j.declared_at) for j in panel] == [
        (world.judges[0].user_id, "机构1", "教授", ["医疗器械"], ["瑞金医院"], True, None),
        (world.judges[1].user_id, "机构2", "", [], [], True, None),
    ]  # the deactivated third judge stays behind
    families = db.scalars(select(InstitutionFamily.members)
                          .where(InstitutionFamily.contest_id == new_id)).all()
    assert families == [["复旦大学", "复旦"]]

    assert count(db, Entry, contest_id=new_id) == 0
    assert count(db, Award, contest_id=new_id) == 0
    new_round_ids = [r.id for r in new_rounds]
    for model in (RoundEntry, Assignment, ScoreSheet):
        assert db.scalar(select(func.count()).select_from(model)
                         .where(model.round_id.in_(new_round_ids))) == 0
    team = db.scalars(select(ContestOrganiser).where(ContestOrganiser.contest_id == new_id)).all()
    assert [(m.user_id, m.role) for m in team] == [(world.organiser.id, "owner")]
    # Last year's contest is as it was.
    assert count(db, Entry, contest_id=world.contest.id) == 1
    assert count(db, Round, contest_id=world.contest.id) == 3

    [record] = db.scalars(select(AuditRecord).where(AuditRecord.action == "contest.copy")).all()
    assert record.contest_id == new_id
    assert record.actor_id == world.organiser.id
    assert record.after["copied_from"] == world.contest.name
    assert {k: record.after[k] for k in ("tracks", "rounds", "judges")} == {
        "tracks": 2, "rounds": 3, "judges": 2}


def test_the_copy_is_the_copiers_own_contest(client, db, world) -> None:
    headers = factories.bearer(client, world.organiser)
    new_id = client.post(f"/api/v1/contests/{world.contest.id}/copy", json=BODY,
                         headers=headers).json()["id"]

    mine = client.get("/api/v1/contests", headers=headers).json()
    assert {c["id"] for c in mine} == {world.contest.id, new_id}
    other = factories.bearer(client, world.other_organiser)
    assert client.get(f"/api/v1/contests/{new_id}", headers=other).status_code == 404
    # A new round can be added to the copy without clashing with the copied ones.
    response = client.post(
        f"/api/v1/contests/{new_id}/tracks", json={"code": "startup", "name": "重复"},
        headers=headers,
    )
    assert response.status_code == 422


def test_bad_input_is_422_naming_the_field_and_creates_nothing(client, db, world) -> None:
    headers = factories.bearer(client, world.organiser)
    url = f"/api/v1/contests/{world.contest.id}/copy"
    before = count(db, Contest)

    cases = [
        ({**BODY, "name": "  "}, "name"),
        ({**BODY, "year": 1999}, "year"),
        ({k: v for k, v in BODY.items() if k != "year"}, "year"),
        ({**BODY, "registration_closes_at": "2024-04-01T09:00:00+08:00"},
         "registration_closes_at"),
        ({**BODY, "entries": True}, "entries"),
    ]
    for body, name in cases:
        response = client.post(url, json=body, headers=headers)
        assert response.status_code == 422, (name, response.text)
        assert name in {str(part) for error in response.json()["detail"] for part in error["loc"]}
    assert count(db, Contest) == before
    assert count(db, AuditRecord, action="contest.copy") == 0


def test_only_the_contests_organisers_may_copy_it(client, db, world) -> None:
    url = f"/api/v1/contests/{world.contest.id}/copy"
    assert client.post(url, json=BODY).status_code == 401
    other = factories.bearer(client, world.other_organiser)
    assert client.post(url, json=BODY, headers=other).status_code == 404
    judge = factories.bearer(client, world.judge_users[0])
    assert client.post(url, json=BODY, headers=judge).status_code == 403
    assert count(db, Contest) == 2


def test_copy_from_the_settings_page_with_a_confirmation(client, db, world) -> None:
    factories.login(client, world.organiser)

    page = BeautifulSoup(client.get(f"/manage/contests/{world.contest.id}/edit").text,
                         "html.parser")
    form = page.find("form", action=f"/manage/contests/{world.contest.id}/copy")
    assert form is not None
    assert form.get("data-confirm")
    assert form.find("input", attrs={"name": "copy_year"})["value"] == str(world.contest.year + 1)

    response = client.post(
        f"/manage/contests/{world.contest.id}/copy",
        data=factories.form(client, {"copy_name": "2024年大赛", "copy_year": "2024",
                                     "copy_edition": "",
                                     "copy_registration_closes_at": "2024-07-15T18:00"}),
        follow_redirects=False,
    )

    assert response.status_code == 303
    new = db.scalars(select(Contest).where(Contest.name == "2024年大赛")).one()
    assert response.headers["location"] == f"/manage/contests/{new.id}"
    assert new.edition is None
    assert new.status == "draft"
    assert count(db, Round, contest_id=new.id) == 3
    overview = BeautifulSoup(client.get(response.headers["location"]).text, "html.parser")
    assert world.contest.name in overview.select_one(".flash").get_text()
    # The new contest's audit log says, in words, where it came from.
    log = BeautifulSoup(client.get(f"/manage/contests/{new.id}/audit").text, "html.parser")
    text = log.select_one("main").get_text(" ", strip=True)
    assert "从往届赛事复制设置" in text
    assert f"复制自 {world.contest.name}" in text
    assert "评分项 15" in text
    assert "results_published_at" not in text


def test_the_page_shows_errors_in_place_and_creates_nothing(client, db, world) -> None:
    factories.login(client, world.organiser)

    response = client.post(
        f"/manage/contests/{world.contest.id}/copy",
        data=factories.form(client, {"copy_name": "", "copy_year": "20x4"}),
    )

    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#e-copy_name") is not None
    assert page.select_one("#e-copy_year") is not None
    assert page.find("input", attrs={"name": "copy_year"})["value"] == "20x4"
    assert count(db, Contest) == 2


def test_the_page_names_a_registration_window_that_ends_before_it_opens(client, db, world):
    factories.login(client, world.organiser)

    response = client.post(
        f"/manage/contests/{world.contest.id}/copy",
        data=factories.form(client, {"copy_name": "2024年大赛", "copy_year": "2024",
                                     "copy_registration_opens_at": "2024-07-15T18:00",
                                     "copy_registration_closes_at": "2024-05-01T09:00"}),
    )

    assert response.status_code == 422
    page = BeautifulSoup(response.text, "html.parser")
    assert page.select_one("#e-copy_registration_closes_at") is not None
    assert count(db, Contest) == 2
