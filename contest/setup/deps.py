"""Route dependencies for organisers: objects loaded through the caller's scope, so
another organiser's contest, round, judge or entry is a 404."""

from typing import Annotated

from fastapi import Depends

from contest.core.web.deps import CurrentOrganiser, DbSession
from contest.models import Contest, Entry, Judge, Round
from contest.setup import access


def _organised_contest(contest_id: int, db: DbSession, user: CurrentOrganiser) -> Contest:
    return access.organised_contest(db, user, contest_id)


def _organised_round(round_id: int, db: DbSession, user: CurrentOrganiser) -> Round:
    return access.organised_round(db, user, round_id)


def _organised_judge(judge_id: int, db: DbSession, user: CurrentOrganiser) -> Judge:
    return access.organised_judge(db, user, judge_id)


def _organised_entry(entry_id: int, db: DbSession, user: CurrentOrganiser) -> Entry:
    return access.organised_entry(db, user, entry_id)


def _owned_contest(contest_id: int, db: DbSession, user: CurrentOrganiser) -> Contest:
    return access.owned_contest(db, user, contest_id)


OwnedContest = Annotated[Contest, Depends(_owned_contest)]
OrganisedContest = Annotated[Contest, Depends(_organised_contest)]
OrganisedRound = Annotated[Round, Depends(_organised_round)]
OrganisedJudge = Annotated[Judge, Depends(_organised_judge)]
OrganisedEntry = Annotated[Entry, Depends(_organised_entry)]
