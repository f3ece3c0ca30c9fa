"""API routes: contest set-up (organisers)."""

from collections.abc import Sequence

from fastapi import APIRouter, status
from sqlmodel import Session

from contest.accounts import service as auth
from contest.accounts.schemas import LinkSent
from contest.core.audit import contest_log
from contest.core.enums import TeamRole
from contest.core.web.deps import AppSettings, CurrentOrganiser, DbSession
from contest.models import Contest, Round, Track
from contest.notices.service import mail_configured
from contest.setup import contests, copying, judges, rounds, team
from contest.setup.audit_schemas import AuditEntry
from contest.setup.copy_schemas import ContestCopy
from contest.setup.deps import OrganisedContest, OrganisedJudge, OrganisedRound, OwnedContest
from contest.setup.schemas import (
    ConflictCreate,
    ConflictPublic,
    ContestCreate,
    ContestPublic,
    ContestUpdate,
    JudgeCreate,
    JudgePublic,
    RoundCreate,
    RoundPublic,
    RoundUpdate,
    TrackCreate,
    TrackPublic,
)
from contest.setup.team_schemas import TeamMemberCreate, TeamMemberPublic


def _round_public(db: Session, round_: Round) -> RoundPublic:
    return RoundPublic.of(round_, rounds.criteria(db, round_.id), is_open=rounds.is_open(round_))


router = APIRouter(tags=["contest set-up"])


def _contest(contest: Contest) -> ContestPublic:
    return ContestPublic.model_validate(contest, from_attributes=True)


def _track(track: Track) -> TrackPublic:
    return TrackPublic.model_validate(track, from_attributes=True)


@router.post("/contests", response_model=ContestPublic, status_code=status.HTTP_201_CREATED)
def create_contest(body: ContestCreate, db: DbSession, user: CurrentOrganiser) -> ContestPublic:
    return _contest(contests.create_contest(db, actor=user, data=body))


@router.get("/contests", response_model=list[ContestPublic])
def list_contests(db: DbSession, user: CurrentOrganiser) -> list[ContestPublic]:
    return [_contest(c) for c in contests.organised_contests(db, user)]


@router.get("/contests/{contest_id}", response_model=ContestPublic)
def get_contest(contest: OrganisedContest) -> ContestPublic:
    return _contest(contest)


@router.patch("/contests/{contest_id}", response_model=ContestPublic)
def update_contest(
    body: ContestUpdate, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> ContestPublic:
    return _contest(contests.update_contest(db, actor=user, contest=contest, data=body))


@router.post(
    "/contests/{contest_id}/copy", response_model=ContestPublic, status_code=status.HTTP_201_CREATED
)
def copy_contest(
    body: ContestCopy, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> ContestPublic:
    """A new draft contest with this one's set-up: tracks, rounds and rubrics, the panel and
    the settings; not its entries, sheets or results (setup/copying.py)."""
    return _contest(copying.copy_setup(db, actor=user, source=contest, data=body))


@router.post(
    "/contests/{contest_id}/tracks", response_model=TrackPublic, status_code=status.HTTP_201_CREATED
)
def add_track(
    body: TrackCreate, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> TrackPublic:
    return _track(contests.add_track(db, actor=user, contest=contest, data=body))


@router.get("/contests/{contest_id}/tracks", response_model=list[TrackPublic])
def list_tracks(contest: OrganisedContest, db: DbSession) -> list[TrackPublic]:
    return [_track(t) for t in contests.tracks(db, contest.id)]


@router.post(
    "/contests/{contest_id}/rounds", response_model=RoundPublic, status_code=status.HTTP_201_CREATED
)
def add_round(
    body: RoundCreate, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> RoundPublic:
    return _round_public(db, rounds.add_round(db, actor=user, contest=contest, data=body))


@router.get("/contests/{contest_id}/rounds", response_model=list[RoundPublic])
def list_rounds(contest: OrganisedContest, db: DbSession) -> list[RoundPublic]:
    return [_round_public(db, r) for r in rounds.rounds(db, contest.id)]


@router.get("/rounds/{round_id}", response_model=RoundPublic)
def get_round(round_: OrganisedRound, db: DbSession) -> RoundPublic:
    return _round_public(db, round_)


@router.patch("/rounds/{round_id}", response_model=RoundPublic)
def update_round(
    body: RoundUpdate, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> RoundPublic:
    return _round_public(db, rounds.update_round(db, actor=user, round_=round_, data=body))


@router.post("/rounds/{round_id}/open", response_model=RoundPublic)
def open_round(round_: OrganisedRound, db: DbSession, user: CurrentOrganiser) -> RoundPublic:
    return _round_public(db, rounds.open_round(db, actor=user, round_=round_))


@router.post("/rounds/{round_id}/close", response_model=RoundPublic)
def close_round(round_: OrganisedRound, db: DbSession, user: CurrentOrganiser) -> RoundPublic:
    return _round_public(db, rounds.close_round(db, actor=user, round_=round_))


@router.post(
    "/contests/{contest_id}/judges", response_model=JudgePublic, status_code=status.HTTP_201_CREATED
)
def add_judge(
    body: JudgeCreate, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> JudgePublic:
    """Without `password` the judge is invited by mail (a set-password link, 7 days);
    the answer is the same whether the address already had an account."""
    added = judges.add_judge(db, actor=user, contest=contest, data=body)
    return JudgePublic.of(added.judge, added.user).model_copy(update={"name": added.name})


@router.post(
    "/judges/{judge_id}/password-reset",
    response_model=LinkSent,
    status_code=status.HTTP_202_ACCEPTED,
)
def send_judge_link(
    judge: OrganisedJudge, db: DbSession, user: CurrentOrganiser, settings: AppSettings
) -> LinkSent:
    """Mail the judge a link to choose a password (a new invitation link if they never set
    one); audited, throttled (429). The organiser never sees the link."""
    judges.send_link(db, actor=user, judge=judge)
    configured = mail_configured(settings)
    return LinkSent(detail=auth.link_sent_message(configured), mail_configured=configured)


@router.get("/contests/{contest_id}/judges", response_model=list[JudgePublic])
def list_judges(contest: OrganisedContest, db: DbSession) -> list[JudgePublic]:
    return [JudgePublic.of(j, u) for j, u in judges.panel(db, contest.id)]


@router.post(
    "/judges/{judge_id}/conflicts",
    response_model=ConflictPublic,
    status_code=status.HTTP_201_CREATED,
)
def declare_conflict(
    body: ConflictCreate, judge: OrganisedJudge, db: DbSession, user: CurrentOrganiser
) -> ConflictPublic:
    conflict = judges.declare_conflict(
        db, actor=user, judge=judge, entry_id=body.entry_id, reason=body.reason
    )
    return ConflictPublic.model_validate(conflict, from_attributes=True)


@router.get("/contests/{contest_id}/audit", response_model=list[AuditEntry])
def audit_log(
    contest: OrganisedContest, db: DbSession, limit: int = 500, offset: int = 0
) -> Sequence[AuditEntry]:
    return [
        AuditEntry(
            at=r.at,
            actor=u.email if u else None,
            action=r.action,
            object=f"{r.object_type}:{r.object_id}" if r.object_id else r.object_type,
            detail={"before": r.before, "after": r.after, "reason": r.reason},
        )
        for r, u in contest_log(
            db, contest.id, limit=min(max(limit, 1), 5000), offset=max(offset, 0)
        )
    ]


# The organiser team (setup/team.py): everyone in it reads the list, the owner changes it.
@router.get("/contests/{contest_id}/organisers", response_model=list[TeamMemberPublic])
def list_team(contest: OrganisedContest, db: DbSession) -> list[TeamMemberPublic]:
    return [TeamMemberPublic.of(member) for member in team.members(db, contest.id)]


@router.post(
    "/contests/{contest_id}/organisers",
    response_model=TeamMemberPublic,
    status_code=status.HTTP_201_CREATED,
)
def add_team_member(
    body: TeamMemberCreate, contest: OwnedContest, db: DbSession, user: CurrentOrganiser
) -> TeamMemberPublic:
    member = team.add_member(
        db, actor=user, contest=contest, email=body.email, role=TeamRole(body.role)
    )
    return TeamMemberPublic.of(member)


@router.delete(
    "/contests/{contest_id}/organisers/{user_id}", status_code=status.HTTP_204_NO_CONTENT
)
def remove_team_member(
    user_id: int, contest: OwnedContest, db: DbSession, user: CurrentOrganiser
) -> None:
    team.remove_member(db, actor=user, contest=contest, user_id=user_id)
