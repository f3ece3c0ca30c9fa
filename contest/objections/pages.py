"""Pages: the organisers' publications and objections desk, and a team's objections."""

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlmodel import Session, col
from starlette.concurrency import run_in_threadpool

from contest.awards.public_results import public_contest
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.web.deps import (
    CSRF_FIELD,
    AppSettings,
    CurrentOrganiser,
    CurrentTeam,
    DbSession,
    csrf_ok,
)
from contest.core.web.forms import form_values
from contest.core.web.templating import redirect, render
from contest.core.web.uploads import pause_database_turn
from contest.entries.deps import receive_file
from contest.models import Contest, Entry, Objection, User
from contest.objections import service
from contest.objections.deps import OrganisedObjection, OrganisedPublication, OwnObjection
from contest.publications import service as publications
from contest.setup.deps import OrganisedContest
from contest.setup.nav import contest_context

router = APIRouter()
streaming_router = APIRouter()


def _titles(db: Session, objections: list[Objection]) -> dict[int, str]:
    ids = {o.entry_id for o in objections if o.entry_id is not None}
    if not ids:
        return {}
    rows = db.execute(select(col(Entry.id), col(Entry.title)).where(col(Entry.id).in_(ids)))
    return {entry_id: title for entry_id, title in rows}


def _filers(db: Session, objections: list[Objection]) -> dict[int, str]:
    ids = {o.filed_by_id for o in objections}
    if not ids:
        return {}
    rows = db.execute(select(col(User.id), col(User.name)).where(col(User.id).in_(ids)))
    return {user_id: name for user_id, name in rows}


def _desk_context(db: Session, user: User, contest: Contest, **extra: Any) -> dict[str, Any]:
    views = service.views(db, publications.of_contest(db, contest.id, withdrawn=True))
    objections = list(service.readable_objections(db, user, contest))
    return {
        **contest_context(db, contest, "publications"),
        "views": views,
        "objections": objections,
        "titles": _titles(db, objections),
        "filers": _filers(db, objections),
        "errors": {},
        **extra,
    }


@router.get("/manage/contests/{contest_id}/publications", response_class=HTMLResponse)
def desk(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    return render(request, "manage/publications.html", _desk_context(db, user, contest))


def _back(publication_contest: int) -> str:
    return f"/manage/contests/{publication_contest}/publications"


@router.post("/manage/publications/{publication_id}/withdraw", response_class=HTMLResponse)
async def withdraw(
    request: Request, publication: OrganisedPublication, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    try:
        with db.begin_nested():
            service.withdraw(db, actor=user, publication=publication, reason=form.get("reason", ""))
    except (InvalidInput, StateConflict) as exc:
        return redirect(request, _back(publication.contest_id), _message(exc), "error")
    message = _("Version %(v)s has been withdrawn. Correct, confirm and publish again.") % {
        "v": publication.version
    }
    return redirect(request, _back(publication.contest_id), message)


def _message(exc: InvalidInput | StateConflict) -> str:
    if isinstance(exc, InvalidInput):
        return "; ".join(e.message for e in exc.errors)
    return exc.message


@router.post("/manage/objections/{objection_id}/decide", response_class=HTMLResponse)
async def decide(
    request: Request, objection: OrganisedObjection, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    back = _back(objection.contest_id) + f"#objection-{objection.id}"
    try:
        with db.begin_nested():
            if form.get("answer", "").strip():
                service.answer(db, actor=user, objection=objection, text=form["answer"])
            if form.get("decision"):
                service.decide(
                    db, actor=user, objection=objection,
                    decision=form.get("decision", ""), reason=form.get("reason", ""),
                )
    except (InvalidInput, StateConflict) as exc:
        return redirect(request, back, _message(exc), "error")
    return redirect(request, back, _("The objection has been updated."))


# A team's objections.


def _team_context(db: Session, user: User, contest: Contest, **extra: Any) -> dict[str, Any]:
    views = [
        v for v in service.views(db, publications.of_contest(db, contest.id, withdrawn=False))
        if publications.window_open(v.item)
    ]
    objections = list(service.readable_objections(db, user, contest))
    return {
        "contest": contest,
        "open_views": views,
        "objections": objections,
        "titles": _titles(db, objections),
        "errors": {},
        "values": {},
        **extra,
    }


@router.get("/team/contests/{contest_id}/objections", response_class=HTMLResponse)
def team_objections(
    request: Request, contest_id: int, db: DbSession, user: CurrentTeam
) -> Response:
    contest = public_contest(db, contest_id)
    return render(request, "team/objections.html", _team_context(db, user, contest))


@router.post("/team/contests/{contest_id}/objections", response_class=HTMLResponse)
async def file_objection(
    request: Request, contest_id: int, db: DbSession, user: CurrentTeam
) -> Response:
    contest = public_contest(db, contest_id)
    form = await form_values(request)
    try:
        with db.begin_nested():
            item = service.file_objection(
                db, actor=user, contest=contest,
                publication_id=_number(form.get("publication_id", ""), "publication_id"),
                entry_id=_optional_number(form.get("entry_id", "")),
                reason=form.get("reason", ""),
            )
    except (InvalidInput, StateConflict) as exc:
        errors = exc.by_field() if isinstance(exc, InvalidInput) else {"__all__": exc.message}
        context = _team_context(db, user, contest, errors=errors, values=form)
        return render(request, "team/objections.html", context, status_code=422)
    message = _("Your objection (no. %(id)s) has been filed.") % {"id": item.id}
    return redirect(request, f"/team/contests/{contest.id}/objections", message)


def _number(raw: str, field: str) -> int:
    text = raw.strip()
    if not text.isdigit() or len(text) > 12:
        raise InvalidInput.single(field, _("Choose a publication."))
    return int(text)


def _optional_number(raw: str) -> int | None:
    text = raw.strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        raise InvalidInput.single("entry_id", _("Give the project's number, or leave it empty."))
    return int(text)


def upload_csrf(request: Request):  # type: ignore[no-untyped-def]
    """The multipart form's token, checked before the file is stored."""
    return lambda fields: csrf_ok(request, fields.get(CSRF_FIELD))


@streaming_router.post("/team/objections/{objection_id}/documents")
async def upload_evidence(
    request: Request, objection: OwnObjection, db: DbSession, user: CurrentTeam,
    settings: AppSettings,
) -> Response:
    back = f"/team/contests/{objection.contest_id}/objections#objection-{objection.id}"
    try:
        await run_in_threadpool(service.require_can_attach, objection)
        await pause_database_turn(request, db)
        form = await receive_file(request, settings, csrf=upload_csrf(request))
        assert form.file is not None
        await run_in_threadpool(
            service.attach_document, db, actor=user, objection=objection,
            received=form.file, settings=settings,
        )
    except (InvalidInput, StateConflict) as exc:
        return redirect(request, back, _message(exc), "error")
    except HTTPException as exc:
        if exc.status_code != 413:
            raise
        return redirect(request, back, str(exc.detail), "error")
    return redirect(request, back, _("The evidence has been uploaded."))
