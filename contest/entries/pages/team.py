"""Pages: a team's dashboard and entry form, document uploads, and reading a document.

Uploads are read as they stream in, so their routes sit on `streaming_router`
(outside the CSRF dependency, which would read the whole body first) and check
the form's CSRF token themselves before storing a byte.
"""

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from contest.core import phones
from contest.core.errors import InvalidInput
from contest.core.i18n import _, current_locale
from contest.core.web.deps import AppSettings, CurrentTeam, CurrentUser, DbSession
from contest.core.web.forms import form_values
from contest.core.web.templating import redirect, render
from contest.entries import service as entries
from contest.entries.access import visible_contest
from contest.entries.deps import OwnedEntry, ReadableDocument, document_response
from contest.entries.pages import manage as entries_manage
from contest.entries.pages.forms import (
    entry_raw,
    entry_values,
    form_errors,
    notice_of,
    parse_new_entry,
    stored_values,
    upload_and_redirect,
)
from contest.entries.schemas import EntryUpdate
from contest.entries.views import contests_to_enter, objection_boxes, team_dashboard
from contest.models import Contest, Entry, User
from contest.setup.contests import tracks

router = APIRouter()
streaming_router = APIRouter(include_in_schema=False)


def _form_page(
    request: Request,
    db: Session,
    *,
    contest: Contest,
    values: dict[str, str],
    entry: Entry | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "team/entry_form.html",
        {
            "contest": contest,
            "entry": entry,
            "tracks": tracks(db, contest.id),
            "values": values,
            "errors": errors or {},
            "notice": notice_of(db, contest),
            "action": f"/team/entries/{entry.id}/edit"
            if entry
            else f"/team/contests/{contest.id}/enter",
        },
        status_code=status_code,
    )


@router.get("/team", response_class=HTMLResponse)
def dashboard(
    request: Request, db: DbSession, user: CurrentTeam, entry: str = ""
) -> HTMLResponse:
    views = team_dashboard(db, user)
    # After an upload or a change, the page's messages are shown inside that entry's card,
    # and the address jumps to them: the message is on screen at any width.
    focus = next((v.entry.id for v in views if str(v.entry.id) == entry), None)
    return render(
        request,
        "team/dashboard.html",
        {
            "views": views,
            "open_contests": contests_to_enter(db, user),
            "focus_entry": focus,
            "objection_boxes": objection_boxes(db, user, [v.contest for v in views]),
        },
    )


def _back_to(entry: Entry) -> str:
    """The dashboard, scrolled to the entry's messages."""
    return f"/team?entry={entry.id}#messages-{entry.id}"


def _open_contest(db: Session, contest_id: int) -> Contest:
    contest = visible_contest(db, contest_id)
    entries.require_registration_open(contest)
    entries.require_not_sealed(db, contest)
    return contest


@router.get("/team/contests/{contest_id}/enter", response_class=HTMLResponse)
def new_entry_page(
    request: Request, contest_id: int, db: DbSession, user: CurrentTeam
) -> HTMLResponse:
    contest = _open_contest(db, contest_id)
    values = {
        "leader_name": user.name,
        "leader_email": user.email,
        "leader_phone": phones.display(user.phone, current_locale()),
    }
    return _form_page(request, db, contest=contest, values=values)


@router.post("/team/contests/{contest_id}/enter", response_class=HTMLResponse)
async def create_entry(
    request: Request, contest_id: int, db: DbSession, user: CurrentTeam
) -> Response:
    values = entry_values(await form_values(request))
    return await run_in_threadpool(_create, request, db, user, contest_id, values)


def _create(
    request: Request, db: Session, user: User, contest_id: int, values: dict[str, str]
) -> Response:
    contest = _open_contest(db, contest_id)
    try:
        with db.begin_nested():
            data, agreed = parse_new_entry(db, contest=contest, values=values, owner=user)
            entry = entries.create_entry(
                db, actor=user, contest=contest, data=data,
                privacy_consent=agreed, consent_required=True,
            )
    except InvalidInput as exc:
        return _form_page(
            request, db, contest=contest, values=values, errors=form_errors(exc), status_code=422
        )
    message = _("Your entry is registered. Now upload your business plan (PDF).")
    return redirect(request, _back_to(entry), message)


@router.get("/team/entries/{entry_id}/edit", response_class=HTMLResponse)
def edit_entry_page(request: Request, entry: OwnedEntry, db: DbSession) -> HTMLResponse:
    contest = db.get(Contest, entry.contest_id)
    assert contest is not None
    entries.require_registration_open(contest)
    entries.require_not_withdrawn(entry)
    return _form_page(request, db, contest=contest, entry=entry, values=stored_values(db, entry))


@router.post("/team/entries/{entry_id}/edit", response_class=HTMLResponse)
async def edit_entry(
    request: Request, entry: OwnedEntry, db: DbSession, user: CurrentTeam
) -> Response:
    values = entry_values(await form_values(request))
    return await run_in_threadpool(_edit, request, db, user, entry, values)


def _edit(
    request: Request, db: Session, user: User, entry: Entry, values: dict[str, str]
) -> Response:
    contest = db.get(Contest, entry.contest_id)
    assert contest is not None
    try:
        with db.begin_nested():
            data = entries.parse_entry(db, contest=contest, raw=entry_raw(values), entry=entry)
            update = EntryUpdate(**data.model_dump())
            entries.update_entry(db, actor=user, entry=entry, data=update)
    except InvalidInput as exc:
        return _form_page(
            request,
            db,
            contest=contest,
            entry=entry,
            values=values,
            errors=form_errors(exc),
            status_code=422,
        )
    return redirect(request, _back_to(entry), _("Your changes are saved."))


@router.post("/team/entries/{entry_id}/withdraw")
def withdraw_entry(
    request: Request, entry: OwnedEntry, db: DbSession, user: CurrentTeam
) -> Response:
    entries.withdraw_entry(db, actor=user, entry=entry)
    return redirect(request, "/team", _("Your entry has been withdrawn."))


@streaming_router.post("/team/entries/{entry_id}/documents")
async def upload_document(
    request: Request, entry: OwnedEntry, db: DbSession, user: CurrentTeam, settings: AppSettings
) -> Response:
    back = _back_to(entry)
    return await upload_and_redirect(
        request, db, user=user, entry=entry, settings=settings, back=back
    )


@router.get("/documents/{document_id}")
def read_document(
    found: ReadableDocument,
    db: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    inline: bool = False,
) -> FileResponse:
    """The PDF for a logged-in page; `?inline=1` opens it in the browser's viewer."""
    document, _entry = found
    return document_response(db, settings, user, document, inline=inline)


router.include_router(entries_manage.router)
streaming_router.include_router(entries_manage.streaming_router)
