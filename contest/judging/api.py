"""API routes: assignments, score sheets, reopening, progress."""

from fastapi import APIRouter, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlmodel import Session

from contest.core.enums import Role
from contest.core.web.deps import CurrentJudge, CurrentOrganiser, DbSession, write_as
from contest.judging import access, assignment, progress
from contest.judging import queue as judge_queue
from contest.judging import sheets as judging
from contest.judging.deps import ScoringTarget
from contest.judging.schemas import (
    AssignmentIn,
    AssignmentPublic,
    AutoAssignIn,
    AutoAssignOut,
    JudgeProgress,
    MyAssignment,
    RecuseIn,
    RecuseOut,
    ReopenIn,
    RoundProgress,
    SheetIn,
    SheetOut,
)
from contest.models import User
from contest.setup.deps import OrganisedRound
from scoring import points

router = APIRouter(tags=["judging"])


def sheet_out(view: judging.SheetView) -> SheetOut:
    return SheetOut(
        state=view.state,  # type: ignore[arg-type]
        total=points(view.total_tenths),
        scores={str(c): points(v) for c, v in view.scores_tenths.items()},
        comment=view.comment,
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
