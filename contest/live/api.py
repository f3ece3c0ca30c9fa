"""API routes: the live roadshow final (the draw and the live state machine)."""

from typing import Annotated

from fastapi import APIRouter, Depends

from contest.core.web.deps import CurrentOrganiser, DbSession, OptionalUser
from contest.live import draw
from contest.live import service as live
from contest.live import view as live_view
from contest.live.schemas import DrawHistoryOut, DrawIn, DrawOut, LiveActionIn, LiveOut
from contest.setup.deps import OrganisedRound

router = APIRouter(tags=["live roadshow"])


def _audience(round_id: int, db: DbSession, user: OptionalUser) -> live_view.Audience:
    return live_view.audience(db, user, round_id)


LiveAudience = Annotated[live_view.Audience, Depends(_audience)]


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


@router.get("/rounds/{round_id}/live", response_model=LiveOut)
def state(audience: LiveAudience, db: DbSession) -> LiveOut:
    view = live_view.live_view(db, audience.round, with_panel=audience.organiser)
    return live_view.to_schema(view)
