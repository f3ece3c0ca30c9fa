"""Demo scores: complete submitted sheets, valid values, strict and lenient judges."""

import random
from statistics import mean

from sqlalchemy import select

from contest.demo import scores as demo_scores
from contest.models import CriterionScore, ScoreSheet
from tests import factories


def test_score_round_fills_every_assignment_with_valid_submitted_sheets(db, world):
    entries = [
        factories.entry(
            db, world.contest, world.startup, institution=f"大学{i}", rounds=(world.preliminary,)
        )
        for i in range(30)
    ]
    for entry in entries:
        for judge in world.judges:
            factories.assign(db, world.preliminary, judge, entry)
    strict, neutral, lenient = (j.id for j in world.judges)
    rubric = {c.id: c.max_tenths for c in factories.criteria(db, world.preliminary)}

    count = demo_scores.score_round(
        db, world.preliminary, random.Random(1), {strict: -0.12, neutral: 0.0, lenient: 0.1}
    )
    again = demo_scores.score_round(db, world.preliminary, random.Random(2))

    sheets = db.scalars(select(ScoreSheet)).all()
    assert (count, again, len(sheets)) == (90, 0, 90)
    assert {s.state for s in sheets} == {"submitted"}
    assert all(s.comment and s.submitted_at for s in sheets)
    values = db.execute(
        select(CriterionScore.sheet_id, CriterionScore.criterion_id, CriterionScore.value_tenths)
    ).all()
    assert len(values) == 90 * len(rubric)
    assert all(0 <= v <= rubric[c] for _s, c, v in values)
    totals: dict[int, int] = {}
    for sheet_id, _c, value in values:
        totals[sheet_id] = totals.get(sheet_id, 0) + value
    by_judge = {
        j: mean(totals[s.id] for s in sheets if s.judge_id == j) for j in (strict, neutral, lenient)
    }
    assert by_judge[strict] < by_judge[neutral] < by_judge[lenient]
