"""Awards through the API: allocation per track and overall, counts, excellence, ties
across a boundary, saving again, publishing and certificates."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.models import AuditRecord, Award, Certificate, Contest
from tests import factories
from tests.awards_setup import Ranked, arrange_ranked
from tests.judging_setup import read

CODE = re.compile(r"^TJ-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$")


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    client.headers.update(factories.bearer(client, world.organiser))
    client.headers["Accept-Language"] = "en"
    return client


@pytest.fixture
def ranked(db: Session, world: factories.World) -> Ranked:
    return arrange_ranked(db, world)


def pairs(body: list[dict]) -> list[tuple[int, str, str]]:
    return [(a["entry_id"], a["tier"], a["track_code"]) for a in body]


def stored(db: Session) -> list[tuple[int, str, str]]:
    rows = read(db, select(Award.entry_id, Award.tier, Award.scope).order_by(Award.entry_id))
    return [tuple(row) for row in rows]


def test_default_awards_per_track_are_gold_1_silver_2_bronze_3(organiser, db, ranked):
    response = organiser.post(ranked.url, json={"scope": "per_track"})

    s, c = ranked.s, ranked.c
    assert response.status_code == 200
    assert pairs(response.json()) == [
        (s[0].id, "gold", "startup"),
        (s[1].id, "silver", "startup"),
        (s[2].id, "silver", "startup"),
        (s[3].id, "bronze", "startup"),
        (s[4].id, "bronze", "startup"),
        (s[5].id, "bronze", "startup"),
        (c[0].id, "gold", "creative"),
        (c[1].id, "silver", "creative"),
        (c[2].id, "silver", "creative"),
        (c[3].id, "bronze", "creative"),
    ]
    assert all(a["id"] is not None and a["certificate_code"] is None for a in response.json())
    assert len(stored(db)) == 10
    assert [a["rank"] for a in response.json()][:6] == [1, 2, 3, 4, 5, 6]


def test_overall_awards_follow_one_ranking_across_tracks(organiser, db, ranked):
    body = {
        "scope": "overall",
        "tiers": [{"tier": "gold", "count": 1}, {"tier": "silver", "count": 2}],
    }

    response = organiser.post(ranked.url, json=body)

    s, c = ranked.s, ranked.c
    # 29.0 (S1) > 28.5 (C1) > 28.0 (S2).
    assert pairs(response.json()) == [
        (s[0].id, "gold", "startup"),
        (c[0].id, "silver", "creative"),
        (s[1].id, "silver", "startup"),
    ]
    assert {scope for _e, _t, scope in stored(db)} == {"overall"}


def test_counts_and_excellence_awards(organiser, ranked):
    body = {
        "tiers": [
            {"tier": "excellence", "count": 2},
            {"tier": "gold", "count": 1},
            {"tier": "silver", "count": 1},
            {"tier": "bronze", "count": 1},
        ],
        "custom_names": {"excellence": "优秀项目奖"},
    }

    response = organiser.post(ranked.url, json=body)

    startup = [
        (a["tier"], a["custom_name"]) for a in response.json() if a["track_code"] == "startup"
    ]
    assert startup == [
        ("gold", ""),
        ("silver", ""),
        ("bronze", ""),
        ("excellence", "优秀项目奖"),
        ("excellence", "优秀项目奖"),
    ]
    creative = [a["tier"] for a in response.json() if a["track_code"] == "creative"]
    assert creative == ["gold", "silver", "bronze", "excellence"]


def test_a_tier_given_twice_is_422_naming_tiers(organiser, db, ranked):
    body = {"tiers": [{"tier": "gold", "count": 1}, {"tier": "gold", "count": 2}]}

    response = organiser.post(ranked.url, json=body)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "tiers"]
    assert stored(db) == []


def test_a_negative_count_is_422(organiser, ranked):
    response = organiser.post(ranked.url, json={"tiers": [{"tier": "gold", "count": -1}]})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "tiers"]


@pytest.fixture
def tied(db: Session, world: factories.World) -> Ranked:
    """S2 and S3 tie exactly, across the boundary of gold 1, silver 1."""
    return arrange_ranked(db, world, startup=(290, 280, 280, 260), creative=(285,))


TWO_TIERS = [{"tier": "gold", "count": 1}, {"tier": "silver", "count": 1}]


def test_a_tie_across_a_boundary_is_409_naming_the_entries(organiser, db, tied):
    response = organiser.post(tied.url, json={"tiers": TWO_TIERS})

    s = tied.s
    body = response.json()
    assert response.status_code == 409
    assert body["ties"] == [
        {
            "track_code": "startup",
            "rank": 2,
            "entry_ids": [s[1].id, s[2].id],
            "places": ["silver", None],
            "problem": "unresolved",
        }
    ]
    assert f"S2 (no. {s[1].id})" in body["detail"]
    assert f"S3 (no. {s[2].id})" in body["detail"]
    assert "Silver award, no award" in body["detail"]
    assert stored(db) == []


def test_resolve_settles_the_tie_and_the_reason_is_audited(organiser, db, tied):
    s = tied.s
    body = {
        "tiers": TWO_TIERS,
        "resolve": {str(s[2].id): "silver", str(s[1].id): None},
        "reason": "现场答辩表现",
    }

    response = organiser.post(tied.url, json=body)

    assert response.status_code == 200
    startup = [(a["entry_id"], a["tier"]) for a in response.json() if a["track_code"] == "startup"]
    assert startup == [(s[0].id, "gold"), (s[2].id, "silver")]
    [(reason, after)] = read(
        db,
        select(AuditRecord.reason, AuditRecord.after).where(AuditRecord.action == "awards.save"),
    )
    assert reason == "现场答辩表现"
    assert after["resolve"] == {str(s[2].id): "silver", str(s[1].id): None}


def test_a_resolve_that_does_not_fit_the_places_is_409(organiser, db, tied):
    s = tied.s
    body = {"tiers": TWO_TIERS, "resolve": {str(s[1].id): "silver", str(s[2].id): "silver"}}

    response = organiser.post(tied.url, json=body)

    assert response.status_code == 409
    assert response.json()["ties"][0]["problem"] == "mismatch"
    assert stored(db) == []


def test_a_resolve_naming_an_untied_entry_is_409(organiser, db, tied):
    s = tied.s
    body = {
        "tiers": TWO_TIERS,
        "resolve": {str(s[1].id): "silver", str(s[2].id): None, str(s[3].id): None},
    }

    response = organiser.post(tied.url, json=body)

    assert response.status_code == 409
    assert response.json()["stray_entry_ids"] == [s[3].id]


def test_a_resolve_naming_an_unknown_entry_is_422(organiser, tied):
    response = organiser.post(tied.url, json={"tiers": TWO_TIERS, "resolve": {"999999": "gold"}})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "resolve", "999999"]


def test_a_resolve_key_that_is_no_number_is_422(organiser, tied):
    response = organiser.post(tied.url, json={"resolve": {"S2": "gold"}})

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "resolve"]


def test_a_tie_inside_one_tier_needs_no_resolve(organiser, db, world):
    ranked = arrange_ranked(db, world, startup=(290, 280, 280, 260), creative=())

    response = organiser.post(ranked.url, json={})

    s = ranked.s
    assert [(a["entry_id"], a["tier"]) for a in response.json()] == [
        (s[0].id, "gold"),
        (s[1].id, "silver"),
        (s[2].id, "silver"),
        (s[3].id, "bronze"),
    ]


def test_awards_before_the_final_closed_are_409(organiser, db, world):
    ranked = arrange_ranked(db, world, closed=False)

    response = organiser.post(ranked.url, json={})

    assert response.status_code == 409
    assert response.json()["detail"] == (
        "The final is not over yet: awards follow its ranking once scoring has closed."
    )
    assert stored(db) == []


def test_a_dry_run_saves_nothing(organiser, db, ranked):
    response = organiser.post(ranked.url, json={"dry_run": True})

    assert response.status_code == 200
    assert len(response.json()) == 10
    assert {a["id"] for a in response.json()} == {None}
    assert stored(db) == []


def test_posting_again_replaces_the_unpublished_awards(organiser, db, ranked):
    organiser.post(ranked.url, json={})

    response = organiser.post(
        ranked.url, json={"scope": "overall", "tiers": [{"tier": "gold", "count": 1}]}
    )

    assert pairs(response.json()) == [(ranked.s[0].id, "gold", "startup")]
    assert stored(db) == [(ranked.s[0].id, "gold", "overall")]


def test_publish_locks_and_issues_one_certificate_per_award(organiser, db, ranked):
    organiser.post(ranked.url, json={})

    response = organiser.post(f"{ranked.url}/publish")

    body = response.json()
    assert response.status_code == 200
    codes = [a["certificate_code"] for a in body]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(CODE.match(code) for code in codes)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    assert {a["issued_on"] for a in body} == {today}
    certificates = read(db, select(Certificate.award_id, Certificate.code))
    assert sorted(code for _a, code in certificates) == sorted(codes)
    assert sorted(a for a, _c in certificates) == sorted(a["id"] for a in body)
    published = read(db, select(Award.published_at))
    assert all(at is not None for (at,) in published)
    [(results_at,)] = read(
        db, select(Contest.results_published_at).where(Contest.id == ranked.world.contest.id)
    )
    assert results_at is not None
    assert organiser.get(ranked.url).json() == body


def test_after_publishing_every_change_is_409(organiser, db, ranked):
    organiser.post(ranked.url, json={})
    organiser.post(f"{ranked.url}/publish")

    changed = organiser.post(ranked.url, json={"scope": "overall"})
    again = organiser.post(f"{ranked.url}/publish")

    assert (changed.status_code, again.status_code) == (409, 409)
    # Both name the standing publication, which must be withdrawn (with a reason) first.
    [publication] = organiser.get(
        f"/api/v1/contests/{ranked.world.contest.id}/publications"
    ).json()
    assert changed.json()["publication_id"] == again.json()["publication_id"] == publication["id"]
    assert changed.json()["detail"].startswith(f"Publication {publication['id']} (the awards")
    assert len(read(db, select(Certificate.id))) == 10
    assert {scope for _e, _t, scope in stored(db)} == {"per_track"}


def test_publish_with_nothing_saved_is_409(organiser, db, ranked):
    response = organiser.post(f"{ranked.url}/publish")

    assert response.status_code == 409
    assert response.json()["detail"] == "Save the awards before publishing them."
    assert read(db, select(Certificate.id)) == []


def test_saving_and_publishing_are_audited(organiser, db, ranked):
    organiser.post(ranked.url, json={})
    organiser.post(f"{ranked.url}/publish")

    actions = read(db, select(AuditRecord.action).where(AuditRecord.action.like("awards.%")))

    assert [a for (a,) in actions] == ["awards.save", "awards.publish"]


def test_get_before_any_award_is_an_empty_list(organiser, ranked):
    assert organiser.get(ranked.url).json() == []


def test_a_contest_without_a_final_is_409(organiser, db, world):
    other = factories.contest(db, world.organiser, name="没有决赛的大赛")
    db.commit()

    response = organiser.post(f"/api/v1/contests/{other.id}/awards", json={})

    assert response.status_code == 409
    assert response.json()["detail"] == "This contest has no final round to take the awards from."
