"""API routes: assignments, score sheets, reopening, progress."""

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlmodel import Session

from contest.core.enums import Role
from contest.core.web.deps import (
    AppSettings,
    CurrentJudge,
    CurrentOrganiser,
    DbSession,
    write_as,
)
from contest.judging import (
    access,
    assignment,
    conflict_records,
    declarations,
    panel,
    progress,
    reminders,
)
from contest.judging import queue as judge_queue
from contest.judging import sheets as judging
from contest.judging.assignment import Released
from contest.judging.deps import ScoringTarget
from contest.judging.schemas import (
    AssignmentIn,
    AssignmentPublic,
    AutoAssignIn,
    AutoAssignOut,
    ConflictLine,
    DeclarationsIn,
    DeclarationsOut,
    DeclaredConflictOut,
    ExceptionIn,
    ExceptionPublic,
    FamilyIn,
    FamilyPublic,
    JudgeChangeOut,
    JudgeProgress,
    JudgeRemovedOut,
    MyAssignment,
    RecuseIn,
    RecuseOut,
    ReleasedOut,
    RemindersOut,
    ReopenIn,
    RoundProgress,
    SheetIn,
    SheetOut,
)
from contest.models import Judge, User
from contest.setup.deps import OrganisedContest, OrganisedJudge, OrganisedRound
from contest.setup.schemas import JudgeLeave, JudgePublic, JudgeUpdate
from scoring import points

router = APIRouter(tags=["judging"])


def sheet_out(view: judging.SheetView) -> SheetOut:
    return SheetOut(
        state=view.state,  # type: ignore[arg-type]
        total=points(view.total_tenths),
        scores={str(c): points(v) for c, v in view.scores_tenths.items()},
        comment=view.comment,
        committee_note=view.committee_note,
        revision=view.revision,
        updated_at=view.updated_at,
        submitted_at=view.submitted_at,
    )


@router.post("/rounds/{round_id}/assignments/auto", response_model=AutoAssignOut)
def auto_assign(
    round_: OrganisedRound, db: DbSession, user: CurrentOrganiser, body: AutoAssignIn | None = None
) -> AutoAssignOut:
    body = body or AutoAssignIn()
    result = assignment.auto_assign(
        db, actor=user, round_=round_, seed=body.seed, rebalance=body.rebalance
    )
    return AutoAssignOut(**result.__dict__)


@router.get("/rounds/{round_id}/assignments", response_model=list[AssignmentPublic])
def list_assignments(round_: OrganisedRound, db: DbSession) -> list[AssignmentPublic]:
    return [
        AssignmentPublic(judge_id=a.judge_id, entry_id=a.entry_id, source=a.source)
        for a in assignment.round_assignments(db, round_)
    ]


@router.post(
    "/rounds/{round_id}/assignments",
    response_model=AssignmentPublic,
    status_code=status.HTTP_201_CREATED,
)
def add_assignment(
    body: AssignmentIn, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> AssignmentPublic:
    item = assignment.add_assignment(
        db, actor=user, round_=round_, judge_id=body.judge_id, entry_id=body.entry_id
    )
    return AssignmentPublic(judge_id=item.judge_id, entry_id=item.entry_id, source=item.source)


@router.delete("/rounds/{round_id}/assignments", status_code=status.HTTP_204_NO_CONTENT)
def remove_assignment(
    body: AssignmentIn, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    assignment.remove_assignment(
        db, actor=user, round_=round_, judge_id=body.judge_id, entry_id=body.entry_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/rounds/{round_id}/entries/{entry_id}/recuse", response_model=RecuseOut)
def recuse(body: RecuseIn, target: ScoringTarget, db: DbSession, user: CurrentJudge) -> RecuseOut:
    result = assignment.recuse(
        db,
        user=user,
        judge=target.judge,
        round_=target.round,
        entry=target.entry,
        reason=body.reason,
    )
    return RecuseOut(replacement_judge_id=result.replacement_judge_id)


@router.get("/me/assignments", response_model=list[MyAssignment])
def my_assignments(
    db: DbSession, user: CurrentJudge, round_id: int | None = None
) -> list[MyAssignment]:
    if round_id is not None:
        access.judge_seat(db, user, round_id)  # 404 for a round the judge has no seat in
    return [
        MyAssignment(
            round_id=item.round_id,
            entry_id=item.entry_id,
            title=item.title,
            track_code=item.track_code,
            state=item.state,  # type: ignore[arg-type]
            total=points(item.total_tenths) if item.total_tenths is not None else None,
        )
        for item in judge_queue.assigned_items(db, user, round_id)
    ]


# The body is read by the route itself (below), so its schema is given here for /docs.
SHEET_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": SheetIn.model_json_schema()}},
    }
}


@router.put(
    "/rounds/{round_id}/entries/{entry_id}/sheet",
    response_model=SheetOut,
    openapi_extra=SHEET_BODY,
)
async def save_sheet(round_id: int, entry_id: int, request: Request) -> SheetOut:
    # The hot path (every autosave), in one worker-thread trip and one short transaction
    # (`write_as`): the caller, then the target (assignment, window and rubric in one
    # Core query), then the body, then the writes. The body is validated after the
    # assignment check, so an entry the judge was not given is a 404 whatever is sent,
    # as with every other route.
    raw = await request.body()

    def save(session: Session, user: User) -> SheetOut:
        target = judging.sheet_target(session, user.id, round_id, entry_id)
        body = _sheet_in(raw)
        view = judging.save_sheet(
            session,
            target,
            scores=body.scores,
            comment=body.comment,
            submit=body.submit,
            actor=user,
            committee_note=body.committee_note,
        )
        return sheet_out(view)

    return await write_as(request, Role.judge, save)


def _sheet_in(raw: bytes) -> SheetIn:
    """The request body, or the 422 FastAPI would give for it."""
    try:
        return SheetIn.model_validate_json(raw)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors, body=raw) from None


@router.get("/rounds/{round_id}/entries/{entry_id}/sheet", response_model=SheetOut)
def get_sheet(target: ScoringTarget, db: DbSession) -> SheetOut:
    view = judging.read_sheet(
        db, round_id=target.round.id, judge_id=target.judge.id, entry_id=target.entry.id
    )
    return sheet_out(view)


@router.post("/rounds/{round_id}/sheets/reopen", response_model=SheetOut)
def reopen_sheet(
    body: ReopenIn, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> SheetOut:
    view = judging.reopen_sheet(
        db,
        actor=user,
        round_=round_,
        judge_id=body.judge_id,
        entry_id=body.entry_id,
        reason=body.reason,
    )
    return sheet_out(view)


@router.get("/rounds/{round_id}/progress", response_model=RoundProgress)
def round_progress(round_: OrganisedRound, db: DbSession) -> RoundProgress:
    figures = progress.summary(db, round_)
    return RoundProgress(
        **figures.__dict__,
        judges=[JudgeProgress(**line.__dict__) for line in progress.judge_lines(db, round_)],
    )


@router.post("/rounds/{round_id}/reminders", response_model=RemindersOut)
def send_reminders(
    round_: OrganisedRound, db: DbSession, user: CurrentOrganiser, settings: AppSettings
) -> RemindersOut:
    """Mail every judge with unsubmitted sheets in the round (409 once it is closed)."""
    queued = reminders.send_reminders(db, actor=user, round_=round_, settings=settings)
    return RemindersOut(queued=queued)


# Conflicts (contest/judging/README.md "Conflicts").


@router.get("/rounds/{round_id}/conflicts", response_model=list[ConflictLine])
def round_conflicts(round_: OrganisedRound, db: DbSession) -> list[ConflictLine]:
    return [ConflictLine(**line.__dict__) for line in conflict_records.round_conflicts(db, round_)]


@router.post(
    "/contests/{contest_id}/institution-families",
    response_model=FamilyPublic,
    status_code=status.HTTP_201_CREATED,
)
def add_family(
    body: FamilyIn, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> FamilyPublic:
    family = conflict_records.add_family(db, actor=user, contest=contest, members=body.members)
    return FamilyPublic.model_validate(family, from_attributes=True)


@router.delete(
    "/contests/{contest_id}/institution-families/{family_id}",
    status_code=status.HTTP_204_NO_CONTENT,
)
def remove_family(
    family_id: int, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    conflict_records.remove_family(db, actor=user, contest=contest, family_id=family_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/contests/{contest_id}/institution-families", response_model=list[FamilyPublic])
def list_families(contest: OrganisedContest, db: DbSession) -> list[FamilyPublic]:
    return [
        FamilyPublic.model_validate(f, from_attributes=True)
        for f in conflict_records.families(db, contest.id)
    ]


@router.post(
    "/contests/{contest_id}/conflict-exceptions",
    response_model=ExceptionPublic,
    status_code=status.HTTP_201_CREATED,
)
def add_exception(
    body: ExceptionIn, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> ExceptionPublic:
    item = conflict_records.add_exception(
        db,
        actor=user,
        contest=contest,
        judge_id=body.judge_id,
        entry_id=body.entry_id,
        reason=body.reason,
    )
    return ExceptionPublic.model_validate(item, from_attributes=True)


@router.delete("/contests/{contest_id}/conflict-exceptions", status_code=status.HTTP_204_NO_CONTENT)
def remove_exception(
    body: AssignmentIn, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    conflict_records.remove_exception(
        db, actor=user, contest=contest, judge_id=body.judge_id, entry_id=body.entry_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def declarations_out(found: declarations.Declarations) -> DeclarationsOut:
    judge = found.judge
    return DeclarationsOut(
        judge_id=judge.id,
        contest_id=judge.contest_id,
        affiliations=judge.affiliations,
        companies=judge.companies,
        conflicts=[DeclaredConflictOut(**item.__dict__) for item in found.conflicts],
        declared_at=judge.declared_at,
        released=[ReleasedOut(**item.__dict__) for item in found.released],
    )


@router.get("/me/declarations", response_model=DeclarationsOut)
def my_declarations(contest_id: int, db: DbSession, user: CurrentJudge) -> DeclarationsOut:
    judge = declarations.judge_seat(db, user, contest_id)
    return declarations_out(declarations.read(db, judge))


@router.put("/me/declarations", response_model=DeclarationsOut)
def declare(
    contest_id: int, body: DeclarationsIn, db: DbSession, user: CurrentJudge
) -> DeclarationsOut:
    """Replace the judge's affiliations, companies and named conflicts; add entry
    conflicts; unsubmitted assignments now in conflict move to other judges at once."""
    judge = declarations.judge_seat(db, user, contest_id)
    return declarations_out(declarations.save(db, actor=user, judge=judge, data=body))


def _judge_change(db: Session, judge: Judge, released: list[Released]) -> JudgeChangeOut:
    user = db.get(User, judge.user_id)
    assert user is not None  # judges.user_id is a foreign key
    return JudgeChangeOut(
        **JudgePublic.of(judge, user).model_dump(),
        released=[ReleasedOut(**item.__dict__) for item in released],
    )


@router.patch("/judges/{judge_id}", response_model=JudgeChangeOut)
def update_judge(
    body: JudgeUpdate, judge: OrganisedJudge, db: DbSession, user: CurrentOrganiser
) -> JudgeChangeOut:
    """Correct a judge's name, institution, title or expertise (contest/judging/panel.py)."""
    released = panel.update_judge(db, actor=user, judge=judge, data=body)
    return _judge_change(db, judge, released)


@router.post("/judges/{judge_id}/deactivate", response_model=JudgeChangeOut)
def deactivate_judge(
    judge: OrganisedJudge, db: DbSession, user: CurrentOrganiser, body: JudgeLeave | None = None
) -> JudgeChangeOut:
    """No new assignments; unsubmitted ones go to other eligible judges."""
    released = panel.deactivate(db, actor=user, judge=judge, reason=body.reason if body else "")
    return _judge_change(db, judge, released)


@router.post("/judges/{judge_id}/reactivate", response_model=JudgeChangeOut)
def reactivate_judge(
    judge: OrganisedJudge, db: DbSession, user: CurrentOrganiser
) -> JudgeChangeOut:
    panel.reactivate(db, actor=user, judge=judge)
    return _judge_change(db, judge, [])


@router.delete("/judges/{judge_id}", response_model=JudgeRemovedOut)
def remove_judge(
    judge: OrganisedJudge, db: DbSession, user: CurrentOrganiser, reason: str = ""
) -> JudgeRemovedOut:
    """Off the panel, unsubmitted work reassigned; 409 once the judge has submitted a sheet."""
    judge_id = judge.id
    released = panel.remove(db, actor=user, judge=judge, reason=reason[:1000])
    return JudgeRemovedOut(
        removed_judge_id=judge_id, released=[ReleasedOut(**item.__dict__) for item in released]
    )
