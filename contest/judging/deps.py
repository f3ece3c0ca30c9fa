"""Route dependencies for judges: their seat in a round, an entry assigned to them."""

from typing import Annotated

from fastapi import Depends

from contest.core.web.deps import CurrentJudge, DbSession
from contest.judging import access


def _seat(round_id: int, db: DbSession, user: CurrentJudge) -> access.JudgeSeat:
    return access.judge_seat(db, user, round_id)


def _target(
    round_id: int, entry_id: int, db: DbSession, user: CurrentJudge
) -> access.ScoringTarget:
    return access.scoring_target(db, user, round_id, entry_id)


JudgeSeat = Annotated[access.JudgeSeat, Depends(_seat)]
ScoringTarget = Annotated[access.ScoringTarget, Depends(_target)]
