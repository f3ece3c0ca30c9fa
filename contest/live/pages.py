"""Pages of the live final: the organiser's control page, the judges' live page, and the
public big screen.

Each page is rendered whole for its first paint and then follows
``GET /api/v1/rounds/{id}/live`` every second (static/live.js, static/big_screen.js).
The control page's forms also work without JavaScript: they post here and come back.
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from contest.core.enums import ContestStatus, RoundMode
from contest.core.errors import InvalidInput, NotFound, StateConflict
from contest.core.i18n import _
from contest.core.validation import ascii_int, is_ascii_number
from contest.core.web.deps import CurrentJudge, CurrentOrganiser, DbSession
from contest.core.web.forms import form_values
from contest.core.web.templating import redirect, render
from contest.judging import access
from contest.judging.deps import JudgeSeat
from contest.live import draw, preflight, presence
from contest.live import service as live
from contest.live import view as live_view
from contest.models import Contest, Round
from contest.setup import rounds
from contest.setup.deps import OrganisedRound
from contest.setup.nav import round_context

router = APIRouter()


def messages() -> dict[str, str]:
    """What the live pages' scripts say, in the page's language."""
    return {
        "waiting": _("Waiting to start"),
        "pitching": _("Pitching"),
        "qa": _("Questions and answers"),
        "scoring": _("Scoring"),
        "revealed": _("Score revealed"),
        "finished": _("Final finished"),
        "pitch": _("Pitch"),
        "qa_short": _("Q&A"),
        "scored": _("%(n)s of %(m)s judges have scored"),
        "position": _("Project %(n)s of %(m)s"),
        "judge": _("Judge %(n)s"),
        "dropped": _("Dropped"),
        "todo": _("Not started"),
        "draft": _("Scoring"),
        "submitted": _("Submitted"),
        "no_score": _("No score yet"),
        "current": _("On stage"),
        "no_project": _("No project on stage"),
        "done": _("Revealed"),
        "upcoming": _("To come"),
        "next_in_order": _("The next in the drawn order"),
        "failed": _("The step was refused: %(reason)s"),
        "offline": _("Connection lost; retrying…"),
        "rank": _("Rank"),
        "score": _("Score"),
        "project": _("Project"),
        "saving": _("Saving…"),
        "saved": _("Draft saved at %(time)s"),
        "invalid": _("Not saved: correct the marked scores."),
        "conflict": _("Not saved: %(reason)s"),
        "retrying": _("Not saved, retrying…"),
        "restored": _("Unsaved input from this device was restored."),
        "number": _("Enter a number."),
        "range": _("Enter a score from 0 to %(max)s."),
        "step": _("Use at most one decimal place (steps of 0.1)."),
        "missing": _("Score this criterion before submitting."),
        "submitted_total": _("Submitted: %(total)s points. Thank you."),
        "online": _("Online"),
        "offline_judge": _("Offline"),
        "waiting_for": _("Waiting for %(n)s of %(m)s judges."),
        "start_anyway": _("Not every pre-flight check has passed (%(checks)s). Start anyway?"),
    }


def hints() -> dict[str, str]:
    """What the control page says about the step it puts forward."""
    return {
        "draw": _("Draw the presentation order first, on stage (the form beside the order)."),
        "start": _("When the hall is ready, start the final with the first project."),
        "qa": _("When the pitch ends, start the questions."),
        "score": _("When the questions end, ask the judges for their scores."),
        "reveal": _("Reveal the score once every judge has submitted."),
        "next": _("Call the next project to the stage."),
        "finish": _("Every project has been revealed: finish the final."),
        "done": _("The final has finished."),
    }


def screen_url(request: Request, round_: Round) -> str:
    """The big screen's link for the hall: it carries the pass that lets it report in."""
    secret = request.app.state.settings.secret_key
    return f"/live/{round_.id}?screen={presence.screen_pass(secret, round_.id)}"


def _snapshot(db: DbSession, round_: Round, *, with_panel: bool) -> tuple[Any, dict[str, Any]]:
    view = live_view.live_view(db, round_, with_panel=with_panel)
    return view, live_view.to_schema(view).model_dump(mode="json")


def _roadshow(round_: Round) -> Round:
    if round_.mode != RoundMode.roadshow:
        raise NotFound()
    return round_


def _control(
    request: Request,
    db: DbSession,
    round_: Round,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view, snapshot = _snapshot(db, round_, with_panel=True)
    found = preflight.check(db, round_)
    context = {
        **round_context(db, round_, "live"),
        "view": view,
        "snapshot": snapshot,
        "draws": draw.history(db, round_.id),
        "remaining": live.remaining(db, round_.id),
        "messages": messages(),
        "hints": hints(),
        "preflight": found,
        "preflight_checks": live_view.preflight_out(found).model_dump(mode="json")["checks"],
        "screen_url": screen_url(request, round_),
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "manage/live.html", context, status_code=status_code)


@router.get("/manage/rounds/{round_id}/live", response_class=HTMLResponse)
def control_page(request: Request, round_: OrganisedRound, db: DbSession) -> Response:
    return _control(request, db, _roadshow(round_))


@router.get("/manage/rounds/{round_id}/live/preflight", response_class=HTMLResponse)
def preflight_page(request: Request, round_: OrganisedRound, db: DbSession) -> Response:
    found = preflight.check(db, _roadshow(round_))
    context = {
        **round_context(db, round_, "live"),
        "preflight": found,
        "snapshot": live_view.preflight_out(found).model_dump(mode="json"),
        "screen_url": screen_url(request, round_),
        "messages": {
            "passed": _("Passed"),
            "not_yet": _("Not passed"),
            "fix": _("Fix"),
            "ready": _("Ready to start"),
            "failed": _("%(n)s of %(m)s checks not passed"),
            "screens": _("Big screens connected: %(n)s"),
            "online": _("Online"),
            "offline": _("Offline"),
            "never": _("Never"),
        },
    }
    return render(request, "manage/preflight.html", context)


def _page_url(round_: Round) -> str:
    return f"/manage/rounds/{round_.id}/live"


@router.post("/manage/rounds/{round_id}/live/draw", response_class=HTMLResponse)
async def draw_form(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    seed_text = form.get("seed", "").strip()
    try:
        if seed_text and not is_ascii_number(seed_text):
            raise InvalidInput.single("seed", _("Enter a whole number, or leave it empty."))
        record = draw.draw_order(
            db,
            actor=user,
            round_=_roadshow(round_),
            seed=int(seed_text) if seed_text else None,
            reason=form.get("reason", ""),
        )
    except InvalidInput as exc:
        return _control(request, db, round_, errors=exc.by_field(), values=form, status_code=422)
    except StateConflict as exc:
        return redirect(request, _page_url(round_), exc.message, "error")
    message = _("Order drawn with seed %(seed)s.") % {"seed": record.seed}
    return redirect(request, _page_url(round_), message)


@router.post("/manage/rounds/{round_id}/live", response_class=HTMLResponse)
async def step_form(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    entry_text = form.get("entry_id", "").strip()
    revision_text = form.get("revision", "").strip()
    try:
        command = live.Command(
            action=live.Action(form.get("action", "")),
            entry_id=ascii_int(entry_text),
            override_reason=form.get("override_reason", ""),
            revision=ascii_int(revision_text),
        )
        live.apply(db, actor=user, round_=_roadshow(round_), command=command)
    except ValueError:
        return redirect(request, _page_url(round_), _("Unknown step."), "error")
    except (InvalidInput, StateConflict) as exc:
        message = exc.message if isinstance(exc, StateConflict) else str(exc.errors[0].message)
        return redirect(request, _page_url(round_), message, "error")
    return redirect(request, _page_url(round_))


def _judge_round(db: DbSession, seat: access.JudgeSeat) -> Round:
    round_ = _roadshow(seat.round)
    contest = db.get(Contest, round_.contest_id)
    if contest is None or contest.status == ContestStatus.draft:
        raise NotFound()
    return round_


@router.get("/judge/rounds/{round_id}/live", response_class=HTMLResponse)
def judge_page(request: Request, seat: JudgeSeat, db: DbSession, user: CurrentJudge) -> Response:
    round_ = _judge_round(db, seat)
    view, snapshot = _snapshot(db, round_, with_panel=False)
    criteria = rounds.criteria(db, round_.id)
    return render(
        request,
        "judge/live.html",
        {
            "round": round_,
            "view": view,
            "snapshot": snapshot,
            "criteria": criteria,
            "max_total": sum(c.max_tenths for c in criteria),
            "messages": messages(),
            "storage_prefix": f"tj-live:{user.id}:{round_.id}",
            "report_every": presence.REPORT_SECONDS,
        },
    )


@router.get("/live/{round_id}", response_class=HTMLResponse)
def big_screen(request: Request, round_id: int, db: DbSession, screen: str = "") -> Response:
    """The hall's big screen, and the audience's page on their phones (the same page: it
    lays itself out for a projector or a phone). Opened with the screen pass from the
    control page, it reports in as the hall's screen."""
    round_ = live_view.public_round(db, round_id)
    view, snapshot = _snapshot(db, round_, with_panel=False)
    secret = request.app.state.settings.secret_key
    is_screen = bool(screen) and presence.screen_pass_valid(secret, round_.id, screen[:200])
    context = {
        "round": round_,
        "view": view,
        "snapshot": snapshot,
        "messages": messages(),
        "screen_pass": screen if is_screen else "",
        "report_every": presence.REPORT_SECONDS,
    }
    return render(request, "public/big_screen.html", context)
