"""Route dependencies for entries and their documents (built on contest/entries/access.py),
and the upload and download steps the API and the pages share."""

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from contest.core import file_work
from contest.core.errors import InvalidInput, NotFound
from contest.core.i18n import _
from contest.core.settings import Settings
from contest.core.web.deps import CurrentTeam, CurrentUser, DbSession
from contest.core.web.uploads import (
    ReceivedForm,
    pause_database_turn,
    receive_form,
    resume_database_turn,
)
from contest.entries import access, documents
from contest.kit.uploads import (
    CsrfCheck,
    CsrfRejected,
    NoSpace,
    UploadTooLarge,
    content_disposition,
)
from contest.models import Contest, Document, Entry, User


def _entries_contest(contest_id: int, db: DbSession, user: CurrentUser) -> Contest:
    return access.entries_contest(db, user, contest_id)


def _readable_entry(entry_id: int, db: DbSession, user: CurrentUser) -> Entry:
    return access.readable_entry(db, user, entry_id)


def _changeable_entry(entry_id: int, db: DbSession, user: CurrentUser) -> Entry:
    return access.changeable_entry(db, user, entry_id)


def _readable_document(
    document_id: int, db: DbSession, user: CurrentUser
) -> tuple[Document, Entry]:
    return access.readable_document(db, user, document_id)


def _owned_entry(entry_id: int, db: DbSession, user: CurrentTeam) -> Entry:
    return access.owned_entry(db, user, entry_id)


EntriesContest = Annotated[Contest, Depends(_entries_contest)]
ReadableEntry = Annotated[Entry, Depends(_readable_entry)]
ChangeableEntry = Annotated[Entry, Depends(_changeable_entry)]
ReadableDocument = Annotated[tuple[Document, Entry], Depends(_readable_document)]
OwnedEntry = Annotated[Entry, Depends(_owned_entry)]


def _upload_error(exc: UploadTooLarge | CsrfRejected | NoSpace) -> HTTPException:
    if isinstance(exc, UploadTooLarge):
        return HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, str(exc))
    if isinstance(exc, NoSpace):
        return HTTPException(status.HTTP_507_INSUFFICIENT_STORAGE, str(exc))
    return HTTPException(
        status.HTTP_403_FORBIDDEN,
        _("This form has expired or came from another site. Reload the page and try again."),
    )


async def receive_file(
    request: Request, settings: Settings, *, csrf: CsrfCheck | None = None
) -> ReceivedForm:
    """The streamed form with its file, or the HTTP error that explains why not."""
    try:
        form = await receive_form(request, settings=settings, csrf=csrf)
    except (UploadTooLarge, CsrfRejected, NoSpace) as exc:
        raise _upload_error(exc) from None
    if form.file is None:
        raise InvalidInput.single("file", _("Choose a PDF file to upload."))
    return form


async def receive_document(
    request: Request,
    db: DbSession,
    *,
    user: User,
    entry: Entry,
    settings: Settings,
    csrf: CsrfCheck | None = None,
) -> Document:
    """Shared by the API and the pages: check first, stream the body, then store the file."""
    await run_in_threadpool(documents.require_can_upload, db, actor=user, entry=entry)
    await pause_database_turn(request, db)
    form = await receive_file(request, settings, csrf=csrf)
    assert form.file is not None
    kind = form.fields.get("kind") or "business_plan"
    prepared = await file_work.run(
        documents.prepare_received, kind=kind, received=form.file, settings=settings
    )
    try:
        await resume_database_turn(request)
    except BaseException:
        prepared.remove(settings)
        raise
    return await run_in_threadpool(
        documents.attach_prepared,
        db,
        actor=user,
        entry=entry,
        prepared=prepared,
        settings=settings,
    )


def document_response(
    db: DbSession, settings: Settings, user: User, document: Document, *, inline: bool
) -> FileResponse:
    """The document as this reader may get it (documents.served_document): a cleaned copy,
    or the original as an attachment, never inline."""
    served = documents.served_document(
        db, settings, user=user, document=document, inline=inline
    )
    if not served.path.is_file():
        raise NotFound()
    return FileResponse(
        served.path,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(
                served.filename, inline=inline and served.inline
            ),
            "Cache-Control": "private, no-store",
        },
    )
