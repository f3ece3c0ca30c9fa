"""Pages: the organiser's entries: list with filters, detail, editing, import."""

from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from contest.accounts import service as auth
from contest.core.errors import FieldError, InvalidInput, StateConflict, TooManyAttempts
from contest.core.i18n import _
from contest.core.web.deps import AppSettings, CurrentOrganiser, DbSession
from contest.core.web.forms import form_values
from contest.core.web.templating import redirect, render
from contest.core.web.uploads import pause_database_turn
from contest.entries import bulk, team_link
from contest.entries import importing as entries_import
from contest.entries import service as entries
from contest.entries.deps import receive_file
from contest.entries.documents import named_on_first_page
from contest.entries.export import ENTRY_COLUMNS, entries_csv
from contest.entries.listing import SORTS, EntryFilters, entry_page, filter_options
from contest.entries.pages import forms as team_pages
from contest.entries.schemas import EntryUpdate
from contest.entries.views import award_of, documents_by_entry, entry_history, round_lines
from contest.kit.uploads import base_name
from contest.models import Contest, Entry, Track, User
from contest.notices.service import mail_configured
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
    return _list_page(request, db, contest, filters, page)


def _sort_links(filters: EntryFilters) -> dict[str, dict[str, Any]]:
    """Each sortable column's link: ascending first, descending when clicked again."""
    links = {}
    for key in SORTS:
        current = (filters.sort or "id") == key
        descending = current and filters.order == "desc"
        query = {**filters.as_query(), "sort": key, "order": "" if descending else "desc"}
        if not current:
            query["order"] = ""
        url = "?" + urlencode({k: v for k, v in query.items() if v})
        links[key] = {"url": url, "current": current, "descending": descending}
    return links


def _list_page(
    request: Request,
    db: Session,
    contest: Contest,
    filters: EntryFilters,
    page: int = 1,
    bulk_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
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
            "list_query": query,
            "sort_links": _sort_links(filters),
            "bulk_errors": bulk_errors or {},
        },
        status_code=status_code,
    )


@router.post("/contests/{contest_id}/entries/bulk", response_model=None)
async def bulk_action(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await request.form()
    raw_ids = [v for v in form.getlist("entry_ids") if isinstance(v, str)]
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    back = values.get("back", "")[:2000]
    filters = EntryFilters.from_mapping(dict(parse_qsl(back)))
    action = values.get("action", "")
    try:
        if action not in bulk.ACTIONS:
            raise InvalidInput.single("action", _("Choose an action."))
        ids = bulk.parse_ids(raw_ids)
        if action == "export":
            bulk.selected_entries(db, contest, ids)
            return _selection_csv(request, contest, ids)
        return await run_in_threadpool(
            _bulk_change, request, db, user, contest, action, ids, values, back
        )
    except InvalidInput as exc:
        return _list_page(request, db, contest, filters, bulk_errors=exc.by_field(),
                          status_code=422)  # fmt: skip
    except StateConflict as exc:
        return _list_page(request, db, contest, filters, bulk_errors={"action": exc.message},
                          status_code=409)  # fmt: skip


def _bulk_change(
    request: Request, db: Session, user: User, contest: Contest, action: str,
    ids: list[int], values: dict[str, str], back: str,
) -> Response:  # fmt: skip
    reason = values.get("reason", "")
    with db.begin_nested():
        if action == "withdraw":
            count = bulk.withdraw_selected(db, actor=user, contest=contest, ids=ids, reason=reason)
            message = _("%(n)s entries withdrawn.") % {"n": count}
        else:
            round_id = values.get("round_id", "")
            if not (round_id.isascii() and round_id.isdigit()) or len(round_id) > 9:
                raise InvalidInput.single("round_id", _("Choose a round of this contest."))
            count = bulk.add_selected_to_round(
                db, actor=user, contest=contest, ids=ids, round_id=int(round_id), reason=reason
            )
            message = _("%(n)s entries added to the round.") % {"n": count}
    url = f"/manage/contests/{contest.id}/entries" + (f"?{back}" if back else "")
    return redirect(request, url, message)


def _selection_csv(request: Request, contest: Contest, ids: list[int]) -> StreamingResponse:
    database = request.app.state.database
    return StreamingResponse(
        entries_csv(database, contest.id, only=ids),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="entries-{contest.id}-selection.csv"',
            "Cache-Control": "private, no-store",
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
            "notice": team_pages.notice_of(db, contest),
            # Once a round has opened, a new entry is late and needs a reason.
            "late": entry is None and entries.rounds_opened(db, contest.id),
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
    form = await form_values(request)
    values = {**team_pages.entry_values(form), "late_reason": form.get("late_reason", "")}
    return await run_in_threadpool(_create, request, db, user, contest, values)


def _create(
    request: Request, db: Session, user: User, contest: Contest, values: dict[str, str]
) -> Response:
    try:
        with db.begin_nested():
            data, agreed = team_pages.parse_new_entry(db, contest=contest, values=values)
            entry = entries.create_entry(
                db, actor=user, contest=contest, data=data,
                late_reason=values.get("late_reason", ""),
                privacy_consent=agreed, consent_required=True,
            )
    except InvalidInput as exc:
        errors = team_pages.form_errors(exc)
        return _form_page(
            request, db, contest=contest, values=values, errors=errors, status_code=422
        )
    return redirect(request, f"/manage/entries/{entry.id}", _("Entry added."))


@router.get("/entries/{entry_id}", response_class=HTMLResponse)
def entry_page_(request: Request, entry: OrganisedEntry, db: DbSession) -> HTMLResponse:
    contest = _contest_of(db, entry)
    documents = documents_by_entry(db, [entry.id], current_only=False).get(entry.id, [])
    award, certificate = award_of(db, entry.id)
    return render(
        request,
        "manage/entry.html",
        {
            **contest_context(db, contest, "entries"),
            "entry": entry,
            "award": award,
            "certificate": certificate,
            "track": db.get(Track, entry.track_id),
            "members": entries.member_names(db, entry.id),
            "documents": documents,
            "named_documents": named_on_first_page(entry, documents),
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


@router.post("/entries/{entry_id}/password-reset")
def send_team_link(
    request: Request, entry: OrganisedEntry, db: DbSession, user: CurrentOrganiser
) -> Response:
    """The entry page's button: mail the team account a link to choose a new password."""
    back = f"/manage/entries/{entry.id}"
    try:
        team_link.send_link(db, actor=user, entry=entry)
    except (StateConflict, TooManyAttempts) as exc:
        return redirect(request, back, exc.message, "error")
    configured = mail_configured(request.app.state.settings)
    return redirect(request, back, auth.link_sent_message(configured))


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
    late_reason: str = "",
) -> HTMLResponse:
    # The late reason's own error is shown by its field, the file's in the table.
    field_errors = {e.field: e.message for e in errors or [] if e.field == "late_reason"}
    errors = [e for e in errors or [] if e.field != "late_reason"]
    return render(
        request,
        "manage/entries_import.html",
        {
            **contest_context(db, contest, "entries"),
            "tracks": tracks(db, contest.id),
            "columns": ENTRY_COLUMNS,
            # Once a round has opened, imported entries are late and need a reason.
            "late": entries.rounds_opened(db, contest.id),
            "late_reason": late_reason,
            "field_errors": field_errors,
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
    await pause_database_turn(request, db)
    try:
        form = await receive_file(request, settings, csrf=team_pages.upload_csrf(request))
    except InvalidInput as exc:
        return await run_in_threadpool(_import_page, request, db, contest, list(exc.errors), 422)
    assert form.file is not None
    late_reason = form.fields.get("late_reason", "")
    try:
        count = await run_in_threadpool(_import, db, user, contest, form.file, late_reason)
    except InvalidInput as exc:
        await run_in_threadpool(db.rollback)
        return await run_in_threadpool(
            _import_page, request, db, contest, list(exc.errors), 422, late_reason
        )
    message = _("%(n)s entries imported.") % {"n": count}
    return redirect(request, f"/manage/contests/{contest.id}/entries", message)


def _import(db: Session, user: User, contest: Contest, received: Any, late_reason: str) -> int:
    try:
        return entries_import.import_entries(
            db,
            actor=user,
            contest=contest,
            path=received.path,
            filename=base_name(received.client_name),
            late_reason=late_reason,
        )
    finally:
        received.discard()
