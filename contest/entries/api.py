"""API routes: entries, their documents, bulk import and the CSV export (docs/api.md "Entries")."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import FileResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from contest.accounts import service as auth
from contest.accounts.schemas import LinkSent
from contest.core.enums import Role
from contest.core.web.deps import AppSettings, CurrentOrganiser, CurrentUser, DbSession
from contest.core.web.uploads import pause_database_turn
from contest.entries import importing as entries_import
from contest.entries import service as entries
from contest.entries import team_link
from contest.entries.deps import (
    ChangeableEntry,
    EntriesContest,
    ReadableDocument,
    ReadableEntry,
    document_response,
    receive_document,
    receive_file,
)
from contest.entries.export import entries_csv
from contest.entries.listing import EntryFilters, contest_entries
from contest.entries.schemas import (
    DocumentPublic,
    EntryCreate,
    EntryCreateRequest,
    EntryPublic,
    EntryUpdate,
    ImportResult,
    WithdrawRequest,
)
from contest.entries.views import documents_as_seen, entry_public, entry_publics, team_entries
from contest.kit.uploads import base_name, file_form_body
from contest.notices.service import mail_configured
from contest.setup.deps import OrganisedContest, OrganisedEntry

router = APIRouter(tags=["entries"])

UPLOAD_BODY = file_form_body(
    kind={
        "type": "string",
        "enum": ["business_plan", "pitch_deck", "other"],
        "default": "business_plan",
    }
)
IMPORT_BODY = file_form_body(late_reason={"type": "string", "maxLength": 1000})


@router.post(
    "/contests/{contest_id}/entries",
    response_model=EntryPublic,
    status_code=status.HTTP_201_CREATED,
)
def create_entry(
    body: EntryCreateRequest,
    contest: EntriesContest,
    db: DbSession,
    user: CurrentUser,
    settings: AppSettings,
) -> EntryPublic:
    """A team enters for itself (while registration is open and no round has opened); an
    organiser adds any entry (once a round has opened, with a ``late_reason``).
    ``privacy_consent``: the team agreed to the contest's privacy notice."""
    data = EntryCreate.model_validate(
        body.model_dump(exclude={"late_reason", "privacy_consent"})
    )
    entry = entries.create_entry(
        db,
        actor=user,
        contest=contest,
        data=data,
        late_reason=body.late_reason,
        privacy_consent=body.privacy_consent,
        consent_required=settings.require_api_consent,
    )
    return entry_public(db, entry, viewer=user)


@router.get("/contests/{contest_id}/entries", response_model=list[EntryPublic])
def list_entries(
    contest: EntriesContest,
    db: DbSession,
    user: CurrentUser,
    track_code: str = "",
    city: str = "",
    institution: str = "",
    field: str = "",
    status: str = "",
    q: str = "",
    limit: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[EntryPublic]:
    """Organisers: every entry, or those matching the filters. Teams: their own."""
    if user.role == Role.team:
        found = team_entries(db, user, contest.id)
    else:
        filters = EntryFilters.from_mapping(
            {
                "track": track_code,
                "city": city,
                "institution": institution,
                "field": field,
                "status": status,
                "q": q,
            }
        )
        found = contest_entries(db, contest.id, filters, limit=limit, offset=offset)
    return entry_publics(db, found, viewer=user)


@router.get("/entries/{entry_id}", response_model=EntryPublic)
def get_entry(entry: ReadableEntry, db: DbSession, user: CurrentUser) -> EntryPublic:
    return entry_public(db, entry, viewer=user)


@router.patch("/entries/{entry_id}", response_model=EntryPublic)
def update_entry(
    body: EntryUpdate, entry: ChangeableEntry, db: DbSession, user: CurrentUser
) -> EntryPublic:
    entries.update_entry(db, actor=user, entry=entry, data=body)
    return entry_public(db, entry, viewer=user)


@router.post("/entries/{entry_id}/withdraw", response_model=EntryPublic)
def withdraw_entry(
    entry: ChangeableEntry, db: DbSession, user: CurrentUser, body: WithdrawRequest | None = None
) -> EntryPublic:
    reason = body.reason if body else ""
    entries.withdraw_entry(db, actor=user, entry=entry, reason=reason)
    return entry_public(db, entry, viewer=user)


@router.post(
    "/entries/{entry_id}/password-reset",
    response_model=LinkSent,
    status_code=status.HTTP_202_ACCEPTED,
)
def send_team_link(
    entry: OrganisedEntry, db: DbSession, user: CurrentOrganiser, settings: AppSettings
) -> LinkSent:
    """Mail the entry's team account a link to choose a new password (1 hour); audited,
    throttled (429); 409 if no team account owns the entry."""
    team_link.send_link(db, actor=user, entry=entry)
    configured = mail_configured(settings)
    return LinkSent(detail=auth.link_sent_message(configured), mail_configured=configured)


@router.get("/entries/{entry_id}/documents", response_model=list[DocumentPublic])
def list_documents(entry: ReadableEntry, db: DbSession, user: CurrentUser) -> list[DocumentPublic]:
    return documents_as_seen(db, entry, viewer=user)


@router.post(
    "/entries/{entry_id}/documents",
    response_model=DocumentPublic,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_BODY,
    responses={413: {"description": "The file is over 20 MB."}},
)
async def upload_document(
    request: Request,
    entry: ChangeableEntry,
    db: DbSession,
    user: CurrentUser,
    settings: AppSettings,
) -> DocumentPublic:
    """Multipart `file` (a PDF, at most 20 MB) and `kind`; replaces the current one of that kind."""
    document = await receive_document(request, db, user=user, entry=entry, settings=settings)
    return DocumentPublic.model_validate(document, from_attributes=True)


@router.get(
    "/documents/{document_id}",
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}}}},
)
def download_document(
    found: ReadableDocument,
    db: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    inline: bool = False,
) -> FileResponse:
    """The PDF, for the entry's team, its assigned judges and the organisers: the cleaned
    copy (no document information, XMP, scripts or actions), under a neutral name for a
    judge of a blind round."""
    document, _entry = found
    return document_response(db, settings, user, document, inline=inline)


@router.post(
    "/contests/{contest_id}/entries/import",
    response_model=ImportResult,
    openapi_extra=IMPORT_BODY,
    responses={413: {"description": "The file is over 20 MB."}},
)
async def import_entries(
    request: Request,
    contest: OrganisedContest,
    db: DbSession,
    user: CurrentOrganiser,
    settings: AppSettings,
) -> ImportResult:
    """CSV (UTF-8) or XLSX with a header row of entry fields; all rows or none. Once a
    round has opened, the form's ``late_reason`` says why (422 without it)."""
    await pause_database_turn(request, db)
    form = await receive_file(request, settings)
    assert form.file is not None
    try:
        imported = await run_in_threadpool(
            entries_import.import_entries,
            db,
            actor=user,
            contest=contest,
            path=form.file.path,
            filename=base_name(form.file.client_name),
            late_reason=form.fields.get("late_reason", ""),
        )
    finally:
        form.file.discard()
    return ImportResult(imported=imported)


@router.get(
    "/contests/{contest_id}/entries.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_entries(request: Request, contest: OrganisedContest) -> StreamingResponse:
    """Every entry, UTF-8 with a BOM so that Excel shows Chinese text; streamed."""
    database = request.app.state.database
    return StreamingResponse(
        entries_csv(database, contest.id),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="entries-{contest.id}.csv"',
            "Cache-Control": "private, no-store",
        },
    )
