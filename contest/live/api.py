"""API routes: the live roadshow final (the draw and the live state machine)."""

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from contest.core.db import Database
from contest.core.enums import RoundMode
from contest.core.errors import NotFound
from contest.core.i18n import _
from contest.core.web.deps import (
    SESSION_COOKIE,
    AppSettings,
    CurrentOrganiser,
    DbSession,
    get_optional_user,
)
from contest.judging.deps import JudgeSeat
from contest.live import draw, feed, preflight, presence
from contest.live import service as live
from contest.live import view as live_view
from contest.live.schemas import (
    DrawHistoryOut,
    DrawIn,
    DrawOut,
    LiveActionIn,
    LiveOut,
    PreflightOut,
    ScreenReportIn,
)
from contest.setup.deps import OrganisedRound

router = APIRouter(tags=["live roadshow"])


def _draw_out(record: draw.DrawRecord | None) -> DrawOut:
    if record is None:
        return DrawOut(order=[], seed=None, drawn_at=None, drawn_by=None)
    return DrawOut(
        order=record.order,
        seed=record.seed,
        drawn_at=record.drawn_at,
        drawn_by=record.drawn_by,
        drawn_by_id=record.drawn_by_id,
        reason=record.reason,
    )


@router.post("/rounds/{round_id}/draw", response_model=DrawOut)
def draw_order(
    round_: OrganisedRound, db: DbSession, user: CurrentOrganiser, body: DrawIn | None = None
) -> DrawOut:
    body = body or DrawIn()
    record = draw.draw_order(db, actor=user, round_=round_, seed=body.seed, reason=body.reason)
    return _draw_out(record)


@router.get("/rounds/{round_id}/draw", response_model=DrawHistoryOut)
def current_draw(round_: OrganisedRound, db: DbSession) -> DrawHistoryOut:
    records = draw.history(db, round_.id)
    current = _draw_out(records[0] if records else None)
    return DrawHistoryOut(**current.model_dump(), history=[_draw_out(r) for r in records])


@router.post("/rounds/{round_id}/live", response_model=LiveOut)
def act(
    body: LiveActionIn, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> LiveOut:
    command = live.Command(
        action=live.Action(body.action),
        entry_id=body.entry_id,
        override_reason=body.override_reason,
        revision=body.revision,
    )
    live.apply(db, actor=user, round_=round_, command=command)
    return live_view.to_schema(live_view.live_view(db, round_, with_panel=True))


@router.get(
    "/rounds/{round_id}/live",
    response_model=LiveOut,
    responses={304: {"description": "Unchanged since the ETag sent in If-None-Match"}},
)
async def state(round_id: int, request: Request) -> Response:
    """The live state, polled every second by every screen and phone in the hall.

    The public's answer is built once per change in each worker and carries an ETag
    (feed.py); a poll without credentials is answered from that copy, with no query and
    no thread, while it was checked in the last half second (or while another request
    re-checks it); otherwise the full path runs (who is asking, may they see it, has
    anything changed)."""
    database: Database = request.app.state.database
    if _credentials(request):
        return await run_in_threadpool(_state, request, round_id)
    key = feed.cache_key(str(database.engine.url), round_id)
    found, claimed = feed.answer_or_claim(key)
    if found is not None:
        return _public(request, found)
    try:
        return await run_in_threadpool(_state, request, round_id)
    finally:
        if claimed:
            feed.release(key)


def _credentials(request: Request) -> bool:
    return SESSION_COOKIE in request.cookies or "authorization" in request.headers


def _state(request: Request, round_id: int) -> Response:
    database: Database = request.app.state.database
    with database.session(write=False) as db:
        user = get_optional_user(request, db, request.app.state.settings)
        audience = live_view.audience(db, user, round_id)
        if audience.organiser:
            view = live_view.live_view(db, audience.round, with_panel=True)
            return JSONResponse(live_view.to_schema(view).model_dump(mode="json"))
        found = feed.public_state(db, audience.round)
    return _public(request, found)


def _public(request: Request, found: feed.Built) -> Response:
    headers = {"ETag": found.etag, "Cache-Control": "no-cache"}
    if found.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(found.body(), media_type="application/json", headers=headers)


@router.get("/rounds/{round_id}/live/preflight", response_model=PreflightOut)
def preflight_check(round_: OrganisedRound, db: DbSession) -> PreflightOut:
    if round_.mode != RoundMode.roadshow:
        raise NotFound()
    return live_view.preflight_out(preflight.check(db, round_))


@router.post("/rounds/{round_id}/live/presence", status_code=status.HTTP_204_NO_CONTENT)
def judge_reports_in(seat: JudgeSeat, db: DbSession) -> Response:
    """A judge's live page says it is open (every 15 s)."""
    round_ = live_view.public_round(db, seat.round.id)
    presence.report(db, round_.id, presence.judge_key(seat.judge.id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/rounds/{round_id}/live/screens", status_code=status.HTTP_204_NO_CONTENT)
def screen_reports_in(
    round_id: int, body: ScreenReportIn, db: DbSession, settings: AppSettings
) -> Response:
    """A big screen opened from the control page's link says it is showing (every 15 s)."""
    round_ = live_view.public_round(db, round_id)
    if not presence.screen_pass_valid(settings.secret_key, round_.id, body.screen_pass):
        raise HTTPException(status.HTTP_403_FORBIDDEN, _("This is not the big screen's link."))
    presence.report(db, round_.id, presence.screen_key(body.screen_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
