"""API routes: publications (list, withdraw) and objections (file, evidence, list, decide)."""

from fastapi import APIRouter, Request, status
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from contest.awards.public_results import public_contest
from contest.core.enums import Role
from contest.core.errors import Forbidden
from contest.core.i18n import _
from contest.core.web.deps import AppSettings, CurrentTeam, CurrentUser, DbSession, OptionalUser
from contest.core.web.uploads import pause_database_turn
from contest.entries.deps import receive_file
from contest.kit.uploads import content_disposition, file_form_body
from contest.objections import service
from contest.objections.deps import (
    OrganisedObjection,
    OrganisedPublication,
    OwnObjection,
    ReadableObjection,
)
from contest.objections.schemas import (
    AnswerIn,
    DecideIn,
    ObjectionIn,
    ObjectionOut,
    PublicationOut,
    WithdrawIn,
)
from contest.setup import access as setup_access

router = APIRouter(tags=["publications"])

UPLOAD_BODY = file_form_body()


def _contest_for(db: DbSession, user: OptionalUser, contest_id: int):  # type: ignore[no-untyped-def]
    if user is not None and setup_access.organises(db, user, contest_id):
        return setup_access.organised_contest(db, user, contest_id)
    return public_contest(db, contest_id)


@router.get("/contests/{contest_id}/publications", response_model=list[PublicationOut])
def list_publications(contest_id: int, db: DbSession, user: OptionalUser) -> list[PublicationOut]:
    """Public: the standing publications; the contest's organisers see withdrawn ones too."""
    contest = _contest_for(db, user, contest_id)
    return [PublicationOut.of(v) for v in service.contest_publications(db, user, contest)]


@router.post("/publications/{publication_id}/withdraw", response_model=PublicationOut)
def withdraw_publication(
    body: WithdrawIn, publication: OrganisedPublication, db: DbSession, user: CurrentUser
) -> PublicationOut:
    item = service.withdraw(db, actor=user, publication=publication, reason=body.reason)
    return PublicationOut.of(service.views(db, [item])[0])


@router.post(
    "/contests/{contest_id}/objections",
    response_model=ObjectionOut,
    status_code=status.HTTP_201_CREATED,
)
def file_objection(
    contest_id: int, body: ObjectionIn, db: DbSession, user: CurrentTeam
) -> ObjectionOut:
    contest = public_contest(db, contest_id)
    item = service.file_objection(
        db,
        actor=user,
        contest=contest,
        publication_id=body.publication_id,
        entry_id=body.entry_id,
        reason=body.reason,
    )
    return ObjectionOut.of(item)


@router.get("/contests/{contest_id}/objections", response_model=list[ObjectionOut])
def list_objections(contest_id: int, db: DbSession, user: CurrentUser) -> list[ObjectionOut]:
    """Organisers: every objection of the contest; a team: its own."""
    if user.role not in (Role.organiser, Role.team):
        raise Forbidden(_("This is not open to your role."))
    if user.role == Role.organiser:
        # Another contest's organiser learns nothing of this one.
        contest = setup_access.organised_contest(db, user, contest_id)
    else:
        contest = public_contest(db, contest_id)
    return [ObjectionOut.of(o) for o in service.readable_objections(db, user, contest)]


@router.get("/objections/{objection_id}", response_model=ObjectionOut)
def get_objection(objection: ReadableObjection) -> ObjectionOut:
    return ObjectionOut.of(objection)


@router.post("/objections/{objection_id}/answer", response_model=ObjectionOut)
def answer_objection(
    body: AnswerIn, objection: OrganisedObjection, db: DbSession, user: CurrentUser
) -> ObjectionOut:
    return ObjectionOut.of(service.answer(db, actor=user, objection=objection, text=body.answer))


@router.post("/objections/{objection_id}/decide", response_model=ObjectionOut)
def decide_objection(
    body: DecideIn, objection: OrganisedObjection, db: DbSession, user: CurrentUser
) -> ObjectionOut:
    item = service.decide(
        db, actor=user, objection=objection, decision=body.decision, reason=body.reason
    )
    return ObjectionOut.of(item)


@router.post(
    "/objections/{objection_id}/documents",
    response_model=ObjectionOut,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_BODY,
    responses={413: {"description": "The file is over 20 MB."}},
)
async def upload_evidence(
    request: Request, objection: OwnObjection, db: DbSession, user: CurrentUser,
    settings: AppSettings,
) -> ObjectionOut:
    """The filer's evidence: multipart `file`, a PDF of at most 20 MB (replaces an earlier one)."""
    await run_in_threadpool(service.require_can_attach, objection)
    await pause_database_turn(request, db)
    form = await receive_file(request, settings)
    assert form.file is not None
    item = await run_in_threadpool(
        service.attach_document,
        db,
        actor=user,
        objection=objection,
        received=form.file,
        settings=settings,
    )
    return ObjectionOut.of(item)


@router.get(
    "/objections/{objection_id}/document",
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}}}},
)
def download_evidence(objection: ReadableObjection, settings: AppSettings) -> FileResponse:
    """The evidence PDF, for the filer and the contest's organisers."""
    path = service.document_path(settings, objection)
    return FileResponse(
        path,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(objection.document_name or "evidence.pdf"),
            "Cache-Control": "private, no-store",
        },
    )
