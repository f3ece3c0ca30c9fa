"""API routes: entries, their documents, bulk import and the CSV export (docs/api.md "Entries")."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import FileResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from contest.core.enums import Role
from contest.core.web.deps import AppSettings, CurrentOrganiser, CurrentUser, DbSession
from contest.core.web.uploads import release_write_lock
from contest.entries import documents
from contest.entries import importing as entries_import
from contest.entries import service as entries
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
    EntryPublic,
    EntryUpdate,
    ImportResult,
    WithdrawRequest,
)
from contest.entries.views import entry_public, entry_publics, team_entries
from contest.kit.uploads import base_name
from contest.setup.deps import OrganisedContest

router = APIRouter(tags=["entries"])

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "kind": {
                            "type": "string",
                            "enum": ["business_plan", "pitch_deck", "other"],
                            "default": "business_plan",
                        },
                    },
                }
            }
        },
    }
}
IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/contests/{contest_id}/entries",
    response_model=EntryPublic,
    status_code=status.HTTP_201_CREATED,
)
def create_entry(
    body: EntryCreate, contest: EntriesContest, db: DbSession, user: CurrentUser
) -> EntryPublic:
    """A team enters for itself (while registration is open); an organiser adds any entry."""
    entry = entries.create_entry(db, actor=user, contest=contest, data=body)
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


@router.get("/entries/{entry_id}/documents", response_model=list[DocumentPublic])
def list_documents(entry: ReadableEntry, db: DbSession) -> list[DocumentPublic]:
    return [
        DocumentPublic.model_validate(d, from_attributes=True)
        for d in documents.current_documents(db, entry.id)
    ]


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
    found: ReadableDocument, settings: AppSettings, inline: bool = False
) -> FileResponse:
    """The PDF, for the entry's team, its assigned judges and the organisers."""
    document, _entry = found
    return document_response(settings, document, inline=inline)


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
    """CSV (UTF-8) or XLSX with a header row of entry fields; all rows or none."""
    await run_in_threadpool(release_write_lock, db)
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
