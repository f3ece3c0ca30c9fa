"""Route dependencies of the investors feature, built on access.py."""

from collections.abc import Sequence
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from contest.core.settings import Settings
from contest.core.web.deps import CurrentOrganiser, CurrentUser, DbSession
from contest.investors import access
from contest.kit.tables import (
    CSV_TYPE,
    XLSX_TYPE,
    Table,
    content_disposition,
    csv_rows,
    csv_stream,
    stream_and_delete,
    write_xlsx,
)
from contest.models import Deal, Entry, Investor


def _contest_seat(contest_id: int, db: DbSession, user: CurrentUser) -> Investor:
    return access.contest_seat(db, user, contest_id)


def _entry_seat(entry_id: int, db: DbSession, user: CurrentUser) -> Investor:
    return access.entry_seat(db, user, entry_id)


def _team_entry(entry_id: int, db: DbSession, user: CurrentUser) -> Entry:
    access.require_team(user)
    return access.team_entry(db, user, entry_id)


def _organised_deal(deal_id: int, db: DbSession, user: CurrentOrganiser) -> Deal:
    return access.organised_deal(db, user, deal_id)


ContestSeat = Annotated[Investor, Depends(_contest_seat)]
EntrySeat = Annotated[Investor, Depends(_entry_seat)]
TeamEntry = Annotated[Entry, Depends(_team_entry)]
OrganisedDeal = Annotated[Deal, Depends(_organised_deal)]


def csv_response(table: Table, db: Session, settings: Settings) -> StreamingResponse:
    """A small table (leads, deals) as CSV: its rows are read now, in the request's session."""
    rows = list(csv_rows(table, table.rows(db), ZoneInfo(settings.timezone)))
    return StreamingResponse(
        csv_stream(table.headers, rows),
        media_type=CSV_TYPE,
        headers={"Content-Disposition": content_disposition(f"{table.filename}.csv")},
    )


def xlsx_response(
    tables: Sequence[Table], db: Session, settings: Settings, filename: str | None = None
) -> StreamingResponse:
    path = write_xlsx(db, tables, ZoneInfo(settings.timezone))
    name = filename or tables[0].filename
    return StreamingResponse(
        stream_and_delete(path),
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": content_disposition(f"{name}.xlsx")},
    )
