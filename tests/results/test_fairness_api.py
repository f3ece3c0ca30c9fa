"""The fairness view of a round through the API and its CSV."""

import csv
import io

import pytest
from sqlmodel import Session

from contest.core.enums import Role
from tests import factories

MAXIMA = (300, 250, 200, 150, 100)


def _split(total: int) -> list[int]:
    """A total in tenths spread over the rubric's criteria, each within its maximum."""
    values = []
    for maximum in MAXIMA:
        part = min(maximum, total)
        values.append(part)
        total -= part
    assert total == 0
    return values


@pytest.fixture
def scored(db: Session, world: factories.World) -> dict[str, object]:
    """Five startup entries, judges 1-3 on each; a lenient fourth judge scores only C,
    and lifts it over B at the cut-off (2 advance)."""
    lenient = factories.judge(
        db, world.contest, account=factories.user(db, Role.judge, name="宽松评委"),
        institution="机构4",
    )
    titles = ("A", "B", "C", "D", "E")
    entries = {
        t: factories.entry(db, world.contest, world.startup, title=t, rounds=(world.preliminary,))
        for t in titles
    }
    steady = {"A": 800, "B": 790, "C": 785, "D": 600, "E": 500}
    for title, total in steady.items():
        for judge in world.judges:
            factories.sheet(db, world.preliminary, judge, entries[title], _split(total))
    factories.sheet(db, world.preliminary, lenient, entries["C"], _split(950))
    db.commit()
    return {"entries": entries, "lenient": lenient}


def test_fairness_names_the_lenient_judge_and_the_unstable_cutoff(client, world, scored):
    organiser = factories.bearer(client, world.organiser)
    entries, lenient = scored["entries"], scored["lenient"]

    response = client.get(f"/api/v1/rounds/{world.preliminary.id}/fairness", headers=organiser)

    assert response.status_code == 200, response.text
    body = response.json()
    judges = {j["judge_id"]: j for j in body["judges"]}
    assert judges[lenient.id]["sheets"] == 1
    assert judges[lenient.id]["leniency"] == pytest.approx(95 - 78.5)
    assert judges[lenient.id]["mean"] == pytest.approx(95)
    assert judges[lenient.id]["sd"] == 0
    assert judges[lenient.id]["outliers"] == 1
    assert judges[world.judges[0].id]["sheets"] == 5
    assert judges[world.judges[0].id]["leniency"] < 0
    assert body["icc"] is not None
    assert 0.5 < body["icc"] <= 1
    startup = body["cutoff"]["startup"]
    assert sorted(startup["unstable_entry_ids"]) == sorted([entries["B"].id, entries["C"].id])
    reasons = {e["entry_id"]: e["reasons"] for e in startup["entries"]}
    assert f"without:{lenient.id}" in reasons[entries["C"].id]
    margins = {e["entry_id"]: e["margin"] for e in startup["entries"]}
    assert margins[entries["C"].id] > 0 > margins[entries["B"].id]
    assert body["cutoff"]["creative"]["unstable_entry_ids"] == []


def test_fairness_csv_lists_judges_and_unstable_entries(client, world, scored):
    organiser = factories.bearer(client, world.organiser)

    response = client.get(
        f"/api/v1/rounds/{world.preliminary.id}/fairness.csv", headers=organiser
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert any(row[1:2] == ["宽松评委"] for row in rows)
    assert any(row[2:3] == ["C"] for row in rows if row and row[0] == "startup")


def test_fairness_of_an_unscored_round_is_empty(client, world):
    organiser = factories.bearer(client, world.organiser)

    body = client.get(f"/api/v1/rounds/{world.preliminary.id}/fairness", headers=organiser).json()

    assert body["judges"] == []
    assert body["icc"] is None
    assert body["cutoff"]["startup"]["unstable_entry_ids"] == []


def test_fairness_is_the_organisers(client, world):
    url = f"/api/v1/rounds/{world.preliminary.id}/fairness"

    judge = client.get(url, headers=factories.bearer(client, world.judge_users[0]))
    other = client.get(url, headers=factories.bearer(client, world.other_organiser))

    assert (judge.status_code, other.status_code) == (403, 404)
