"""Route dependencies for judges: their seat in a round, an entry assigned to them.

Anything a judge was not assigned is not found (404), exactly like an unknown object.
"""

from typing import Annotated

from fastapi import Depends

from contest.core.web.deps import CurrentJudge, DbSession
from contest.judging import sheets as judging


def _seat(round_id: int, db: DbSession, user: CurrentJudge) -> judging.JudgeSeat:
    return judging.judge_seat(db, user, round_id)


def _target(
    round_id: int, entry_id: int, db: DbSession, user: CurrentJudge
) -> judging.ScoringTarget:
    return judging.scoring_target(db, user, round_id, entry_id)


JudgeSeat = Annotated[judging.JudgeSeat, Depends(_seat)]
ScoringTarget = Annotated[judging.ScoringTarget, Depends(_target)]
