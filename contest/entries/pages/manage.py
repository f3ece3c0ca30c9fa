"""Pages: the organiser's entries: list with filters, detail, editing, import."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from contest.core.errors import FieldError, InvalidInput
from contest.core.i18n import _
from contest.core.web.deps import AppSettings, CurrentOrganiser, DbSession
from contest.core.web.forms import form_values
from contest.core.web.templating import redirect, render
from contest.core.web.uploads import release_write_lock
from contest.entries import importing as entries_import
from contest.entries import service as entries
from contest.entries.deps import receive_file
from contest.entries.export import ENTRY_COLUMNS
from contest.entries.listing import EntryFilters, entry_page, filter_options
from contest.entries.pages import forms as team_pages
from contest.entries.schemas import EntryUpdate
from contest.entries.views import documents_by_entry, entry_history, round_lines
from contest.kit.uploads import base_name
from contest.models import Contest, Entry, Track, User
from contest.setup.contests import tracks
from contest.setup.deps import OrganisedContest, OrganisedEntry
from contest.setup.nav import contest_context

router = APIRouter(prefix="/manage")
streaming_router = APIRouter(prefix="/manage", include_in_schema=False)
IMPORT_ERRORS_SHOWN = 200


def _contest_of(db: Session, entry: Entry) -> Contest:
    contest = db.get(Contest, entry.contest_id)
    assert contest is not None
    return contest


@router.get("/contests/{contest_id}/entries", response_class=HTMLResponse)
def entries_page(
    request: Request, contest: OrganisedContest, db: DbSession, page: int = 1
) -> HTMLResponse:
    filters = EntryFilters.from_mapping(dict(request.query_params))
    query = urlencode(filters.as_query())
    return render(
        request,
        "manage/entries.html",
        {
            **contest_context(db, contest, "entries"),
            "filters": filters,
            "result": entry_page(db, contest.id, filters, page=page),
            "options": filter_options(db, contest.id),
            "tracks": tracks(db, contest.id),
            "page_url": f"?{query}&" if query else "?",
        },
    )


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
    action = (
        f"/manage/entries/{entry.id}/edit"
        if entry
        else f"/manage/contests/{contest.id}/entries/new"
    )
    return render(
        request,
        "manage/entry_form.html",
        {
            **contest_context(db, contest, "entries"),
            "entry": entry,
            "tracks": tracks(db, contest.id),
            "values": values,
            "errors": errors or {},
            "action": action,
        },
        status_code=status_code,
    )


@router.get("/contests/{contest_id}/entries/new", response_class=HTMLResponse)
def new_entry_page(request: Request, contest: OrganisedContest, db: DbSession) -> HTMLResponse:
    return _form_page(request, db, contest=contest, values={})


@router.post("/contests/{contest_id}/entries/new", response_class=HTMLResponse)
async def create_entry(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    values = team_pages.entry_values(await form_values(request))
    return await run_in_threadpool(_create, request, db, user, contest, values)


def _create(
    request: Request, db: Session, user: User, contest: Contest, values: dict[str, str]
) -> Response:
    try:
        with db.begin_nested():
            data = entries.parse_entry(db, contest=contest, raw=team_pages.entry_raw(values))
            entry = entries.create_entry(db, actor=user, contest=contest, data=data)
    except InvalidInput as exc:
        errors = team_pages.form_errors(exc)
        return _form_page(
            request, db, contest=contest, values=values, errors=errors, status_code=422
        )
    return redirect(request, f"/manage/entries/{entry.id}", _("Entry added."))


@router.get("/entries/{entry_id}", response_class=HTMLResponse)
def entry_page_(request: Request, entry: OrganisedEntry, db: DbSession) -> HTMLResponse:
    contest = _contest_of(db, entry)
    return render(
        request,
        "manage/entry.html",
        {
            **contest_context(db, contest, "entries"),
            "entry": entry,
            "track": db.get(Track, entry.track_id),
            "members": entries.member_names(db, entry.id),
            "documents": documents_by_entry(db, [entry.id], current_only=False).get(entry.id, []),
            "rounds": round_lines(db, [entry.id], for_team=False).get(entry.id, []),
            "history": entry_history(db, entry),
        },
    )


@router.get("/entries/{entry_id}/edit", response_class=HTMLResponse)
def edit_entry_page(request: Request, entry: OrganisedEntry, db: DbSession) -> HTMLResponse:
    values = team_pages.stored_values(db, entry)
    return _form_page(request, db, contest=_contest_of(db, entry), entry=entry, values=values)


@router.post("/entries/{entry_id}/edit", response_class=HTMLResponse)
async def edit_entry(
    request: Request, entry: OrganisedEntry, db: DbSession, user: CurrentOrganiser
) -> Response:
    values = team_pages.entry_values(await form_values(request))
    return await run_in_threadpool(_edit, request, db, user, entry, values)


def _edit(
    request: Request, db: Session, user: User, entry: Entry, values: dict[str, str]
) -> Response:
    contest = _contest_of(db, entry)
    try:
        with db.begin_nested():
            data = entries.parse_entry(
                db, contest=contest, raw=team_pages.entry_raw(values), entry=entry
            )
            update = EntryUpdate(**data.model_dump(), reason=values.get("reason", "").strip())
            entries.update_entry(db, actor=user, entry=entry, data=update)
    except InvalidInput as exc:
        errors = team_pages.form_errors(exc)
        return _form_page(
            request, db, contest=contest, entry=entry, values=values, errors=errors, status_code=422
        )
    return redirect(request, f"/manage/entries/{entry.id}", _("Changes saved."))


@router.post("/entries/{entry_id}/withdraw")
async def withdraw_entry(
    request: Request, entry: OrganisedEntry, db: DbSession, user: CurrentOrganiser
) -> Response:
    reason = (await form_values(request)).get("reason", "").strip()[:1000]
    await run_in_threadpool(entries.withdraw_entry, db, actor=user, entry=entry, reason=reason)
    return redirect(request, f"/manage/entries/{entry.id}", _("The entry has been withdrawn."))


@streaming_router.post("/entries/{entry_id}/documents")
async def upload_document(
    request: Request,
    entry: OrganisedEntry,
    db: DbSession,
    user: CurrentOrganiser,
    settings: AppSettings,
) -> Response:
    return await team_pages.upload_and_redirect(
        request, db, user=user, entry=entry, settings=settings, back=f"/manage/entries/{entry.id}"
    )


def _import_page(
    request: Request,
    db: Session,
    contest: Contest,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    errors = errors or []
    return render(
        request,
        "manage/entries_import.html",
        {
            **contest_context(db, contest, "entries"),
            "tracks": tracks(db, contest.id),
            "columns": ENTRY_COLUMNS,
            "errors": errors[:IMPORT_ERRORS_SHOWN],
            "error_count": len(errors),
            "bad_rows": len({e.loc[1] for e in errors if len(e.loc) > 1}),
        },
        status_code=status_code,
    )


@router.get("/contests/{contest_id}/entries/import/template.csv")
def import_template(contest: OrganisedContest, db: DbSession) -> Response:
    return Response(
        entries_import.template_csv(list(tracks(db, contest.id))),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="entries-template.csv"'},
    )


@router.get("/contests/{contest_id}/entries/import", response_class=HTMLResponse)
def import_page(request: Request, contest: OrganisedContest, db: DbSession) -> HTMLResponse:
    return _import_page(request, db, contest)


@streaming_router.post("/contests/{contest_id}/entries/import", response_class=HTMLResponse)
async def import_entries(
    request: Request,
    contest: OrganisedContest,
    db: DbSession,
    user: CurrentOrganiser,
    settings: AppSettings,
) -> Response:
    await run_in_threadpool(release_write_lock, db)
    try:
        form = await receive_file(request, settings, csrf=team_pages.upload_csrf(request))
    except InvalidInput as exc:
        return await run_in_threadpool(_import_page, request, db, contest, list(exc.errors), 422)
    assert form.file is not None
    try:
        count = await run_in_threadpool(_import, db, user, contest, form.file)
    except InvalidInput as exc:
        await run_in_threadpool(db.rollback)
        return await run_in_threadpool(_import_page, request, db, contest, list(exc.errors), 422)
    message = _("%(n)s entries imported.") % {"n": count}
    return redirect(request, f"/manage/contests/{contest.id}/entries", message)


def _import(db: Session, user: User, contest: Contest, received: Any) -> int:
    try:
        return entries_import.import_entries(
            db,
            actor=user,
            contest=contest,
            path=received.path,
            filename=base_name(received.client_name),
        )
    finally:
        received.discard()
