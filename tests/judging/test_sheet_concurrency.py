"""Many judges saving at once, against the app served for real: no score lost or duplicated.

16 threads x 20 saves over 4 judges x 3 entries (12 sheets; four threads per judge, as
from four tabs): each thread saves complete random sheets, now and then submitting.
Afterwards every row is checked against what the server acknowledged: one sheet per
(round, judge, entry); its values are those of the acknowledged save with the highest
revision (the last complete save); acknowledged revisions of a sheet are all different;
a submitted sheet carries the submitted values and nothing was acknowledged after it.
"""

import random
import threading
from collections import defaultdict
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import Role
from contest.models import CriterionScore, ScoreSheet
from tests import factories
from tests.judging_setup import read
from tests.serving import serving

THREADS = 16
SAVES = 20


@pytest.fixture
def served(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with serving(app, lifespan="off") as base:
        yield base


def _arrange(db: Session, world: factories.World) -> tuple[list, list, list]:
    extra = factories.user(db, Role.judge, institution="机构4")
    judges = [*world.judges, factories.judge(db, world.contest, account=extra, institution="机构4")]
    accounts = [*world.judge_users, extra]
    entries = [
        factories.entry(
            db, world.contest, world.startup, institution=f"大学{i}", rounds=(world.preliminary,)
        )
        for i in range(3)
    ]
    for judge in judges:
        for entry in entries:
            factories.assign(db, world.preliminary, judge, entry)
    rubric = factories.criteria(db, world.preliminary)
    db.commit()
    return list(zip(judges, accounts, strict=True)), entries, rubric


def _worker(
    base: str,
    token: str,
    judge_id: int,
    round_id: int,
    entries: list[int],
    rubric: list[tuple[int, int]],
    seed: int,
    acks: list,
    failures: list,
) -> None:
    rng = random.Random(seed)
    with httpx.Client(
        base_url=base,
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        timeout=60,
    ) as http:
        for _n in range(SAVES):
            entry_id = rng.choice(entries)
            tenths = {c: rng.randint(0, m) for c, m in rubric}
            submit = rng.random() < 0.015
            body = {
                "scores": {str(c): v / 10 for c, v in tenths.items()},
                "submit": submit,
                "comment": f"t{seed}",
            }
            response = http.put(f"/api/v1/rounds/{round_id}/entries/{entry_id}/sheet", json=body)
            if response.status_code == 200:
                data = response.json()
                acks.append((judge_id, entry_id, data["revision"], data["state"], tenths))
            elif response.status_code != 409 or "locked" not in response.json()["detail"]:
                failures.append((response.status_code, response.text))


def test_concurrent_saves_keep_last_complete_save(served, client, db, world):
    panel, entries, rubric = _arrange(db, world)
    tokens = {
        judge.id: factories.bearer(client, account)["Authorization"].split()[1]
        for judge, account in panel
    }
    limits = [(c.id, c.max_tenths) for c in rubric]
    entry_ids = [e.id for e in entries]
    acks: list = []
    failures: list = []
    threads = [
        threading.Thread(
            target=_worker,
            args=(
                served,
                tokens[panel[i % 4][0].id],
                panel[i % 4][0].id,
                world.preliminary.id,
                entry_ids,
                limits,
                i,
                acks,
                failures,
            ),
        )
        for i in range(THREADS)
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert failures == []
    sheets = [row[0] for row in read(db, select(ScoreSheet))]
    stored = defaultdict(dict)
    for sheet_id, criterion_id, value in read(
        db,
        select(CriterionScore.sheet_id, CriterionScore.criterion_id, CriterionScore.value_tenths),
    ):
        stored[sheet_id][criterion_id] = value
    by_pair = defaultdict(list)
    for judge_id, entry_id, revision, state, tenths in acks:
        by_pair[(judge_id, entry_id)].append((revision, state, tenths))
    keys = [(s.round_id, s.judge_id, s.entry_id) for s in sheets]
    assert len(keys) == len(set(keys)) == len(by_pair)
    for sheet in sheets:
        acked = sorted(by_pair[(sheet.judge_id, sheet.entry_id)], key=lambda a: a[0])
        revisions = [a[0] for a in acked]
        assert len(revisions) == len(set(revisions)), "two saves acknowledged one revision"
        last_revision, last_state, last_values = acked[-1]
        assert (sheet.revision, sheet.state) == (last_revision, last_state)
        assert stored[sheet.id] == last_values
        submits = [a for a in acked if a[1] == "submitted"]
        assert len(submits) == (1 if sheet.state == "submitted" else 0)
    # Submits are rare (1.5%), so most of the 320 saves race as drafts.
    assert len(acks) > THREADS * SAVES // 3
