"""API routes: exports for organisers (docs/rules.md section 6), as CSV and XLSX files.

CSV streams from its own database session (the request's closes when the route
returns); XLSX is written to a temporary file first, then streamed and deleted.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from contest.core.web.deps import AppSettings, DbSession
from contest.exports import tables
from contest.exports.parallel import write_contest_workbook
from contest.kit.tables import (
    CSV_TYPE,
    XLSX_TYPE,
    Table,
    content_disposition,
    stream_and_delete,
    table_csv,
    write_xlsx,
)
from contest.models import Contest, Round
from contest.setup.deps import OrganisedContest, OrganisedRound

router = APIRouter(tags=["exports"])

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}
XLSX_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {XLSX_TYPE: {}}}}
TrackCode = Annotated[str | None, Query(description="Only this track (default: every track)")]


def _headers(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": content_disposition(filename),
        "Cache-Control": "private, no-store",
    }


def _csv(request: Request, settings: AppSettings, table: Table) -> StreamingResponse:
    database = request.app.state.database
    return StreamingResponse(
        table_csv(database, table, ZoneInfo(settings.timezone)),
        media_type=CSV_TYPE,
        headers=_headers(f"{table.filename}.csv"),
    )


def _xlsx(
    db: DbSession, settings: AppSettings, sheets: Sequence[Table], filename: str
) -> StreamingResponse:
    return _workbook(write_xlsx(db, sheets, ZoneInfo(settings.timezone)), filename)


def _workbook(path: Path, filename: str) -> StreamingResponse:
    """A workbook written to `path`, streamed and then deleted."""
    return StreamingResponse(
        stream_and_delete(path), media_type=XLSX_TYPE, headers=_headers(f"{filename}.xlsx")
    )


def _contest_of(db: DbSession, round_: Round) -> Contest:
    contest = db.get(Contest, round_.contest_id)
    assert contest is not None
    return contest


@router.get("/rounds/{round_id}/results.csv", responses=CSV_RESPONSE)
def results_csv(
    request: Request,
    round_: OrganisedRound,
    db: DbSession,
    settings: AppSettings,
    track_code: TrackCode = None,
) -> StreamingResponse:
    """The round's ranking per track: rank, scores (2 decimals), judge count, tie, status."""
    table = tables.results_table(db, _contest_of(db, round_), round_, track_code)
    return _csv(request, settings, table)


@router.get("/rounds/{round_id}/results.xlsx", responses=XLSX_RESPONSE)
def results_xlsx(
    round_: OrganisedRound, db: DbSession, settings: AppSettings, track_code: TrackCode = None
) -> StreamingResponse:
    table = tables.results_table(db, _contest_of(db, round_), round_, track_code)
    return _xlsx(db, settings, [table], table.filename)


@router.get("/rounds/{round_id}/sheets.csv", responses=CSV_RESPONSE)
def sheets_csv(
    request: Request, round_: OrganisedRound, db: DbSession, settings: AppSettings
) -> StreamingResponse:
    """Raw score sheets: one row per judge x entry, every criterion a column."""
    return _csv(request, settings, tables.sheets_table(db, _contest_of(db, round_), round_))


@router.get("/rounds/{round_id}/sheets.xlsx", responses=XLSX_RESPONSE)
def sheets_xlsx(round_: OrganisedRound, db: DbSession, settings: AppSettings) -> StreamingResponse:
    table = tables.sheets_table(db, _contest_of(db, round_), round_)
    return _xlsx(db, settings, [table], table.filename)


@router.get("/rounds/{round_id}/assignments.csv", responses=CSV_RESPONSE)
def assignments_csv(
    request: Request, round_: OrganisedRound, db: DbSession, settings: AppSettings
) -> StreamingResponse:
    """Every judge x entry assignment of the round, with its score sheet's state."""
    return _csv(request, settings, tables.assignments_table(_contest_of(db, round_), round_))


@router.get("/rounds/{round_id}/assignments.xlsx", responses=XLSX_RESPONSE)
def assignments_xlsx(
    round_: OrganisedRound, db: DbSession, settings: AppSettings
) -> StreamingResponse:
    table = tables.assignments_table(_contest_of(db, round_), round_)
    return _xlsx(db, settings, [table], table.filename)


@router.get("/contests/{contest_id}/awards.csv", responses=CSV_RESPONSE)
def awards_csv(
    request: Request, contest: OrganisedContest, settings: AppSettings
) -> StreamingResponse:
    """Every award with its certificate code and state."""
    return _csv(request, settings, tables.awards_table(contest))


@router.get("/contests/{contest_id}/awards.xlsx", responses=XLSX_RESPONSE)
def awards_xlsx(
    contest: OrganisedContest, db: DbSession, settings: AppSettings
) -> StreamingResponse:
    table = tables.awards_table(contest)
    return _xlsx(db, settings, [table], table.filename)


@router.get("/contests/{contest_id}/entries.xlsx", responses=XLSX_RESPONSE)
def entries_xlsx(
    contest: OrganisedContest, db: DbSession, settings: AppSettings
) -> StreamingResponse:
    """Every entry, with headers in the reader's language (entries.csv keeps field names)."""
    table = tables.entries_table(contest)
    return _xlsx(db, settings, [table], table.filename)


@router.get("/contests/{contest_id}/export.xlsx", responses=XLSX_RESPONSE)
def contest_xlsx(
    request: Request, contest: OrganisedContest, settings: AppSettings
) -> StreamingResponse:
    """The whole contest in one workbook: entries, each round's assignments, score sheets
    and results, and the awards, one sheet each, written by one process per core."""
    database = request.app.state.database
    path = write_contest_workbook(database, contest, ZoneInfo(settings.timezone))
    return _workbook(path, tables.workbook_name(contest))
