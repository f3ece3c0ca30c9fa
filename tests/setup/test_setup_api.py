"""Contest set-up over the API: contests, tracks, rounds with rubric, judges, conflicts."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from contest.core.enums import Role
from contest.models import AuditRecord, Conflict, Contest, Criterion, Judge, Round, Track, User
from tests import factories

ROUND = {
    "name": "初赛",
    "kind": "preliminary",
    "order": 4,
    "mode": "online_review",
    "judges_per_entry": 5,
    "aggregation": "trimmed_mean",
    "trim_min_judges": 5,
    "normalization": "none",
    "carry_over_weight": 0,
    "blind": True,
    "advance_count": {"startup": 35, "creative": 35},
    "criteria": [
        {"name": "技术与创新", "description": "原创性", "max_score": 30, "tiebreak_priority": 1},
        {"name": "市场", "max_score": 40},
        {"name": "团队", "max_score": 29.5, "tiebreak_priority": 2},
    ],
}


@pytest.fixture
def organiser_headers(client, world):
    return factories.bearer(client, world.organiser)


def errors_at(response) -> set[tuple[object, ...]]:
    return {tuple(error["loc"]) for error in response.json()["detail"]}


def test_create_contest_makes_the_caller_its_organiser(
    client, db, world, organiser_headers
) -> None:
    body = {
        "name": "2024年第三届“天骄湾杯”",
        "year": 2024,
        "edition": 3,
        "series": "天骄湾杯",
        "organisers": ["普陀区科委", "某医学院"],
        "registration_opens_at": "2024-05-01T09:00:00+08:00",
        "registration_closes_at": "2024-07-01T18:00:00+08:00",
    }

    response = client.post("/api/v1/contests", json=body, headers=organiser_headers)

    assert response.status_code == 201
    created = response.json()
    assert {
        k: created[k] for k in ("name", "year", "edition", "series", "organisers", "status")
    } == {
        "name": body["name"],
        "year": 2024,
        "edition": 3,
        "series": "天骄湾杯",
        "organisers": ["普陀区科委", "某医学院"],
        "status": "draft",
    }
    listed = client.get("/api/v1/contests", headers=organiser_headers).json()
    assert created["id"] in [c["id"] for c in listed]
    assert (
        db.get(Contest, created["id"]).registration_closes_at.isoformat()
        == "2024-07-01T10:00:00+00:00"
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "year": 2024}, "name"),
        ({"name": "大赛", "year": 1999}, "year"),
        ({"name": "大赛", "year": 2024, "edition": 0}, "edition"),
        (
            {"name": "大赛", "year": 2024, "registration_opens_at": "2024-07-01T00:00:00"},
            "registration_opens_at",
        ),
        (
            {
                "name": "大赛",
                "year": 2024,
                "registration_opens_at": "2024-07-01T00:00:00Z",
                "registration_closes_at": "2024-06-01T00:00:00Z",
            },
            None,
        ),
        ({"year": 2024}, "name"),
    ],
)
def test_create_contest_rejects_bad_input(
    client, db, world, organiser_headers, body, field
) -> None:
    before = len(db.scalars(select(Contest)).all())

    response = client.post("/api/v1/contests", json=body, headers=organiser_headers)

    assert response.status_code == 422
    if field:
        assert ("body", field) in errors_at(response)
    assert len(db.scalars(select(Contest)).all()) == before


def test_add_track_with_eligibility(client, db, world, organiser_headers) -> None:
    url = f"/api/v1/contests/{world.contest.id}/tracks"

    response = client.post(
        url,
        json={
            "code": "Medtech",
            "name": "医疗器械组",
            "requires_company": True,
            "max_company_age_years": 5,
        },
        headers=organiser_headers,
    )

    assert response.status_code == 201
    track = db.get(Track, response.json()["id"])
    assert (track.code, track.requires_company, track.max_company_age_years) == ("medtech", True, 5)
    codes = [t["code"] for t in client.get(url, headers=organiser_headers).json()]
    assert codes == ["startup", "creative", "medtech"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "startup", "name": "重复"}, "code"),
        ({"code": "bad code!", "name": "x"}, "code"),
        ({"code": "ok", "name": " "}, "name"),
        ({"code": "ok", "name": "x", "requires_company": False, "max_company_age_years": 3}, None),
        (
            {"code": "ok", "name": "x", "requires_company": True, "max_company_age_years": 0},
            "max_company_age_years",
        ),
    ],
)
def test_add_track_rejects_bad_input(client, db, world, organiser_headers, body, field) -> None:
    response = client.post(
        f"/api/v1/contests/{world.contest.id}/tracks", json=body, headers=organiser_headers
    )

    assert response.status_code == 422
    if field:
        assert ("body", field) in errors_at(response)
    assert len(db.scalars(select(Track).where(Track.contest_id == world.contest.id)).all()) == 2


def test_add_round_stores_every_setting_and_the_rubric(
    client, db, world, organiser_headers
) -> None:
    response = client.post(
        f"/api/v1/contests/{world.contest.id}/rounds",
        json={**ROUND, "carry_over_weight": 0.3},
        headers=organiser_headers,
    )

    assert response.status_code == 201
    body = response.json()
    assert {
        k: body[k]
        for k in (
            "name",
            "kind",
            "order",
            "mode",
            "judges_per_entry",
            "aggregation",
            "trim_min_judges",
            "normalization",
            "carry_over_weight",
            "blind",
            "advance_count",
        )
    } == {
        "name": "初赛",
        "kind": "preliminary",
        "order": 4,
        "mode": "online_review",
        "judges_per_entry": 5,
        "aggregation": "trimmed_mean",
        "trim_min_judges": 5,
        "normalization": "none",
        "carry_over_weight": 0.3,
        "blind": True,
        "advance_count": {"startup": 35, "creative": 35},
    }
    assert [(c["name"], c["max_score"], c["tiebreak_priority"]) for c in body["criteria"]] == [
        ("技术与创新", 30.0, 1),
        ("市场", 40.0, None),
        ("团队", 29.5, 2),
    ]
    assert all(isinstance(c["id"], int) for c in body["criteria"])
    stored = db.scalars(
        select(Criterion).where(Criterion.round_id == body["id"]).order_by(Criterion.position)
    ).all()
    assert [c.max_tenths for c in stored] == [300, 400, 295]
    assert db.get(Round, body["id"]).carry_over_weight == Decimal("0.3")


def test_add_round_without_rubric_offers_the_default(client, world, organiser_headers) -> None:
    body = {"name": "复赛", "kind": "semifinal", "order": 5}

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/rounds", json=body, headers=organiser_headers
    )

    created = response.json()
    assert response.status_code == 201
    assert [c["max_score"] for c in created["criteria"]] == [30, 25, 20, 15, 10]
    assert created["criteria"][0]["name"] == "技术与创新"
    assert (
        created["aggregation"],
        created["trim_min_judges"],
        created["normalization"],
        created["carry_over_weight"],
        created["judges_per_entry"],
        created["mode"],
    ) == ("trimmed_mean", 5, "none", 0, 5, "online_review")


def test_final_round_defaults_to_roadshow(client, world, organiser_headers) -> None:
    response = client.post(
        f"/api/v1/contests/{world.contest.id}/rounds",
        json={"name": "决赛", "kind": "final", "order": 6},
        headers=organiser_headers,
    )

    assert (
        response.json()["mode"],
        response.json()["pitch_seconds"],
        response.json()["qa_seconds"],
    ) == ("roadshow", 480, 420)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"judges_per_entry": 0}, "judges_per_entry"),
        ({"carry_over_weight": 1}, "carry_over_weight"),
        ({"carry_over_weight": -0.1}, "carry_over_weight"),
        ({"trim_min_judges": 2}, "trim_min_judges"),
        ({"aggregation": "median"}, "aggregation"),
        ({"normalization": "rank"}, "normalization"),
        ({"kind": "quarterfinal"}, "kind"),
        ({"order": 1}, "order"),
        ({"advance_count": {"nosuchtrack": 3}}, "advance_count"),
        ({"advance_count": {"startup": -1}}, "advance_count"),
        ({"criteria": []}, "criteria"),
        ({"criteria": [{"name": "A", "max_score": 0}]}, "criteria"),
        ({"criteria": [{"name": "A", "max_score": 10.25}]}, "criteria"),
        (
            {
                "criteria": [
                    {"name": "A", "max_score": 10, "tiebreak_priority": 1},
                    {"name": "B", "max_score": 10, "tiebreak_priority": 1},
                ]
            },
            "criteria",
        ),
        (
            {"criteria": [{"name": "A", "max_score": 10}, {"name": "a", "max_score": 10}]},
            "criteria",
        ),
        ({"opens_at": "2024-07-01T00:00:00Z", "closes_at": "2024-06-01T00:00:00Z"}, None),
    ],
)
def test_add_round_rejects_bad_settings(
    client, db, world, organiser_headers, change, field
) -> None:
    before = len(db.scalars(select(Round)).all())

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/rounds",
        json={**ROUND, **change},
        headers=organiser_headers,
    )

    assert response.status_code == 422
    if field:
        assert any(loc[:2] == ("body", field) for loc in errors_at(response)), response.json()
    assert len(db.scalars(select(Round)).all()) == before


def test_open_and_close_a_round(client, db, world, organiser_headers) -> None:
    round_id = world.semifinal.id

    opened = client.post(f"/api/v1/rounds/{round_id}/open", headers=organiser_headers).json()
    closed = client.post(f"/api/v1/rounds/{round_id}/close", headers=organiser_headers).json()

    assert opened["is_open"] is True
    assert closed["is_open"] is False
    assert closed["closes_at"] is not None
    actions = db.scalars(
        select(AuditRecord.action).where(
            AuditRecord.object_type == "rounds", AuditRecord.object_id == round_id
        )
    ).all()
    assert actions == ["round.open", "round.close"]


def test_update_round_settings_is_audited(client, db, world, organiser_headers) -> None:
    response = client.patch(
        f"/api/v1/rounds/{world.preliminary.id}",
        json={"normalization": "zscore", "trim_min_judges": 7},
        headers=organiser_headers,
    )

    assert response.status_code == 200
    assert (response.json()["normalization"], response.json()["trim_min_judges"]) == ("zscore", 7)
    record = db.scalars(select(AuditRecord).where(AuditRecord.action == "round.update")).one()
    assert record.before == {"normalization": "none", "trim_min_judges": 5}
    assert record.after == {"normalization": "zscore", "trim_min_judges": 7}


def test_rubric_is_frozen_once_scoring_started(client, db, world, organiser_headers) -> None:
    entry = factories.entry(db, world.contest, world.creative, rounds=(world.preliminary,))
    factories.sheet(db, world.preliminary, world.judges[0], entry, [100], submitted=False)
    db.commit()

    response = client.patch(
        f"/api/v1/rounds/{world.preliminary.id}",
        json={"criteria": [{"name": "新", "max_score": 100}]},
        headers=organiser_headers,
    )

    assert response.status_code == 409
    names = db.scalars(
        select(Criterion.name).where(Criterion.round_id == world.preliminary.id)
    ).all()
    assert len(names) == 5


def test_add_judge_creates_the_account(client, db, world, organiser_headers) -> None:
    body = {
        "email": "Prof.Li@Hospital.cn",
        "name": "李教授",
        "institution": "瑞金医院",
        "password": "judge-pass-1",
        "expertise": ["医疗器械", "体外诊断"],
    }

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/judges", json=body, headers=organiser_headers
    )

    assert response.status_code == 201
    account = db.scalars(select(User).where(User.email == "prof.li@hospital.cn")).one()
    judge = db.get(Judge, response.json()["id"])
    assert (account.role, judge.institution, judge.expertise) == (
        Role.judge,
        "瑞金医院",
        ["医疗器械", "体外诊断"],
    )
    token = client.post(
        "/api/v1/auth/token", data={"username": "prof.li@hospital.cn", "password": "judge-pass-1"}
    )
    assert token.status_code == 200
    listed = client.get(
        f"/api/v1/contests/{world.contest.id}/judges", headers=organiser_headers
    ).json()
    assert "prof.li@hospital.cn" in [j["email"] for j in listed]


def test_add_existing_judge_to_a_second_contest_reuses_the_account(client, db, world) -> None:
    headers = factories.bearer(client, world.other_organiser)
    body = {
        "email": world.judge_users[0].email,
        "name": "x",
        "institution": "新单位",
        "password": "ignored-here",
    }

    response = client.post(
        f"/api/v1/contests/{world.other_contest.id}/judges", json=body, headers=headers
    )

    assert response.status_code == 201
    assert response.json()["user_id"] == world.judge_users[0].id


def test_add_judge_twice_is_a_conflict(client, world, organiser_headers) -> None:
    body = {"email": world.judge_users[0].email, "name": "x", "institution": "y"}

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/judges", json=body, headers=organiser_headers
    )

    assert response.status_code == 409


def test_add_judge_with_a_team_email_is_refused(client, world, organiser_headers) -> None:
    body = {"email": world.team.email, "name": "x", "institution": "y", "password": "12345678"}

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/judges", json=body, headers=organiser_headers
    )

    assert response.status_code == 422
    assert errors_at(response) == {("body", "email")}


def test_declare_conflict(client, db, world, organiser_headers) -> None:
    entry = factories.entry(db, world.contest, world.creative)
    db.commit()

    response = client.post(
        f"/api/v1/judges/{world.judges[1].id}/conflicts",
        json={"entry_id": entry.id, "reason": "导师关系"},
        headers=organiser_headers,
    )

    assert response.status_code == 201
    conflict = db.scalars(select(Conflict)).one()
    assert (conflict.judge_id, conflict.entry_id, conflict.reason) == (
        world.judges[1].id,
        entry.id,
        "导师关系",
    )


def test_declare_conflict_with_entry_of_another_contest_is_refused(
    client, db, world, organiser_headers
) -> None:
    other_track = factories.track(db, world.other_contest, "x")
    entry = factories.entry(db, world.other_contest, other_track)
    db.commit()

    response = client.post(
        f"/api/v1/judges/{world.judges[1].id}/conflicts",
        json={"entry_id": entry.id},
        headers=organiser_headers,
    )

    assert response.status_code == 422
    assert errors_at(response) == {("body", "entry_id")}


def test_audit_log_lists_changes(client, world, organiser_headers) -> None:
    client.post(f"/api/v1/rounds/{world.semifinal.id}/open", headers=organiser_headers)

    log = client.get(f"/api/v1/contests/{world.contest.id}/audit", headers=organiser_headers)

    assert log.status_code == 200
    first = log.json()[0]
    assert (first["actor"], first["action"], first["object"]) == (
        "organiser@example.com",
        "round.open",
        f"rounds:{world.semifinal.id}",
    )


# Who may call what: every set-up endpoint, for every role.


def setup_calls(world) -> list[tuple[str, str, dict[str, object] | None]]:
    c, r, j = world.contest.id, world.preliminary.id, world.judges[0].id
    return [
        ("GET", f"/api/v1/contests/{c}", None),
        ("PATCH", f"/api/v1/contests/{c}", {"name": "改名"}),
        ("GET", f"/api/v1/contests/{c}/tracks", None),
        ("POST", f"/api/v1/contests/{c}/tracks", {"code": "new", "name": "新"}),
        ("GET", f"/api/v1/contests/{c}/rounds", None),
        ("POST", f"/api/v1/contests/{c}/rounds", {"name": "x", "kind": "final", "order": 9}),
        ("GET", f"/api/v1/rounds/{r}", None),
        ("PATCH", f"/api/v1/rounds/{r}", {"name": "x"}),
        ("POST", f"/api/v1/rounds/{r}/open", None),
        ("POST", f"/api/v1/rounds/{r}/close", None),
        ("GET", f"/api/v1/contests/{c}/judges", None),
        ("POST", f"/api/v1/contests/{c}/judges", {"email": "n@x.cn", "name": "n"}),
        ("POST", f"/api/v1/judges/{j}/conflicts", {"entry_id": 1}),
        ("GET", f"/api/v1/contests/{c}/audit", None),
    ]


@pytest.mark.parametrize("who", ["anonymous", "judge", "team", "other_organiser"])
def test_setup_endpoints_refuse_everyone_but_the_organiser(client, db, world, who) -> None:
    expected = {"anonymous": 401, "judge": 403, "team": 403, "other_organiser": 404}[who]
    account = {
        "judge": world.judge_users[0],
        "team": world.team,
        "other_organiser": world.other_organiser,
    }.get(who)
    headers = factories.bearer(client, account) if account else {}
    before = len(db.scalars(select(AuditRecord)).all())

    statuses = {
        (method, url): client.request(method, url, json=body, headers=headers).status_code
        for method, url, body in setup_calls(world)
    }

    assert set(statuses.values()) == {expected}, statuses
    assert len(db.scalars(select(AuditRecord)).all()) == before


def test_contest_creation_is_for_organisers_only(client, world) -> None:
    headers = factories.bearer(client, world.team)

    response = client.post("/api/v1/contests", json={"name": "x", "year": 2024}, headers=headers)

    assert response.status_code == 403
