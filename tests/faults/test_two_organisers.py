"""Two organisers of one contest making set-up changes at the same moment (issue 19,
point 2): every answer is a success, a 409 or a 422 with a message, never a 500, and
what is stored is one of the two changes, valid as a whole.

Each write is raced several times by two real clients against a served app (threads),
on both backends; PostgreSQL, where transactions really overlap, is the one that used to
answer 500 (unique and check violations).
"""

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from contest.models import Contest, ContestOrganiser, Criterion, Round
from tests import factories
from tests.app_client import TestClient
from tests.serving import serving, together

RACES = 2
OK = {200, 201}


@pytest.fixture
def organisers(app, db, world):
    """Bearer headers of the contest's organiser and of a second one of the same contest."""
    second = factories.user(db, "organiser", email="second-organiser@example.com")
    db.add(ContestOrganiser(contest_id=world.contest.id, user_id=second.id))
    db.commit()
    client = TestClient(app)
    return factories.bearer(client, world.organiser), factories.bearer(client, second)


def race(base: str, headers: tuple[dict, dict], method: str, paths, bodies) -> list[int]:
    """The two organisers send their request at once; their statuses."""
    with (
        httpx.Client(base_url=base, timeout=30) as one,
        httpx.Client(base_url=base, timeout=30) as two,
    ):
        answers = together(
            [
                lambda: one.request(method, paths[0], json=bodies[0], headers=headers[0]),
                lambda: two.request(method, paths[1], json=bodies[1], headers=headers[1]),
            ]
        )
    for answer in answers:
        assert answer.status_code < 500, (paths, answer.status_code, answer.text)
        if answer.status_code >= 400:
            assert answer.json()["detail"], answer.text  # a message, not an empty refusal
    return [a.status_code for a in answers]


def when(day: int) -> str:
    return datetime(2027, 3, day, tzinfo=UTC).isoformat()


def test_two_organisers_never_meet_a_500(app, db, world, organisers):
    contest_id = world.contest.id
    entries = [factories.entry(db, world.contest, world.creative) for _n in range(RACES)]
    db.commit()
    both = (f"/api/v1/contests/{contest_id}",) * 2
    with serving(app) as base:
        for n in range(RACES):
            # Each window change is valid alone; together they would end before they start.
            start = {"registration_opens_at": when(1), "registration_closes_at": when(31)}
            race(base, organisers, "PATCH", both, [start, start])
            statuses = race(
                base,
                organisers,
                "PATCH",
                both,
                [{"registration_opens_at": when(20)}, {"registration_closes_at": when(10)}],
            )
            assert sorted(statuses) == [200, 422], statuses
            db.commit()
            contest = db.scalars(
                select(Contest)
                .where(Contest.id == contest_id)
                .execution_options(populate_existing=True)
            ).one()
            assert contest.registration_opens_at < contest.registration_closes_at

            tracks = (f"/api/v1/contests/{contest_id}/tracks",) * 2
            track = {"code": f"same{n}", "name": "同一组别"}
            assert sorted(race(base, organisers, "POST", tracks, [track, track])) == [201, 422]

            rounds_path = (f"/api/v1/contests/{contest_id}/rounds",) * 2
            new_round = {"name": f"加赛{n}", "kind": "semifinal", "order": 10 + n}
            statuses = race(base, organisers, "POST", rounds_path, [new_round, new_round])
            assert sorted(statuses) == [201, 422], statuses

            judges = (f"/api/v1/contests/{contest_id}/judges",) * 2
            judge = {"email": f"same-judge{n}@example.com", "name": "同一评委"}
            assert sorted(race(base, organisers, "POST", judges, [judge, judge])) == [201, 409]

        round_id = world.semifinal.id
        round_paths = (f"/api/v1/rounds/{round_id}",) * 2
        for n in range(RACES):
            rubrics = [
                {"criteria": [{"name": f"甲{n}{i}", "max_score": 10} for i in range(4)]},
                {"criteria": [{"name": f"乙{n}{i}", "max_score": 20} for i in range(5)]},
            ]
            assert race(base, organisers, "PATCH", round_paths, rubrics) == [200, 200]
            db.commit()
            names = db.scalars(select(Criterion.name).where(Criterion.round_id == round_id)).all()
            assert len(names) in (4, 5), names
            assert len({name[0] for name in names}) == 1, names  # one rubric, not a mix

            window = {"opens_at": when(1), "closes_at": when(31)}
            race(base, organisers, "PATCH", round_paths, [window, window])
            statuses = race(
                base,
                organisers,
                "PATCH",
                round_paths,
                [{"opens_at": when(20)}, {"closes_at": when(10)}],
            )
            assert sorted(statuses) == [200, 422], statuses

            paths = (f"/api/v1/rounds/{round_id}/open", f"/api/v1/rounds/{round_id}/close")
            assert race(base, organisers, "POST", paths, [None, None]) == [200, 200]

            judge_id = world.judges[0].id
            conflicts = (f"/api/v1/judges/{judge_id}/conflicts",) * 2
            body = {"entry_id": entries[n].id, "reason": "同一单位"}
            statuses = race(base, organisers, "POST", conflicts, [body, body])
            assert set(statuses) <= OK, statuses
    db.commit()
    assert db.scalar(select(Round.id).where(Round.id == round_id)) == round_id
