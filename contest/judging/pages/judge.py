"""Pages: a judge's dashboard and scoring page (organiser pages: judging_manage.py).

The scoring page works without JavaScript: its form posts here, which saves (or asks
to confirm a submission) and redirects. With JavaScript, static/scoring.js saves through
the JSON API as the judge types.
"""

from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.web.deps import CurrentJudge, DbSession
from contest.core.web.forms import form_values
from contest.core.web.templating import format_tenths, redirect, render
from contest.judging import access, assignment, declarations
from contest.judging import queue as judge_queue
from contest.judging import sheets as judging
from contest.judging.deps import ScoringTarget
from contest.judging.pages import conflicts as judging_conflicts
from contest.judging.pages import manage as judging_manage
from contest.judging.pages import panel as judging_panel
from contest.setup import rounds

router = APIRouter()
router.include_router(judging_manage.router)
router.include_router(judging_conflicts.router)
router.include_router(judging_panel.router)


def file_size(size: int) -> str:
    if size < 1024 * 1024:
        return _("%(size)s KB") % {"size": max(round(size / 1024), 1)}
    return _("%(size)s MB") % {"size": f"{size / 1048576:.1f}"}


def _page_url(target: access.ScoringTarget) -> str:
    return f"/judge/rounds/{target.round.id}/entries/{target.entry.id}"


@router.get("/judge", response_class=HTMLResponse)
def dashboard(request: Request, db: DbSession, user: CurrentJudge) -> Response:
    return render(
        request,
        "judge/dashboard.html",
        {"queues": judge_queue.judge_rounds(db, user), "seats": declarations.seats(db, user)},
    )


def _messages() -> dict[str, str]:
    """What scoring.js says, in the page's language."""
    return {
        "saving": _("Saving…"),
        "saved": _("Saved at %(time)s"),
        "partial": _("Saved at %(time)s, except the marked scores"),
        "unsaved": _("Changes not saved yet"),
        "retrying": _("Not saved, retrying…"),
        "offline": _("Not saved: you seem to be offline. Your input is kept on this device."),
        "login": _(
            "Not saved: your session has ended. Log in again in another tab; your "
            "input is kept on this device."
        ),
        "invalid": _("Not saved: correct the marked scores."),
        "conflict": _("Not saved: %(reason)s"),
        "restored": _("Unsaved input from this device was restored."),
        "number": _("Enter a number."),
        "range": _("Enter a score from 0 to %(max)s."),
        "step": _("Use at most one decimal place (steps of 0.1)."),
        "missing": _("Score this criterion before submitting."),
        "submitted": _("Submitted."),
    }


def _scoring(
    request: Request,
    db: DbSession,
    user: CurrentJudge,
    target: access.ScoringTarget,
    *,
    values: dict[int, str] | None = None,
    comment: str | None = None,
    committee_note: str | None = None,
    errors: dict[str, str] | None = None,
    confirm: bool = False,
    status_code: int = 200,
) -> Response:
    page = judge_queue.scoring_page(db, user, target)
    shown = (
        values
        if values is not None
        else {c.id: format_tenths(page.sheet.scores_tenths.get(c.id)) for c in page.criteria}
    )
    return render(
        request,
        "judge/score.html",
        {
            "round": target.round,
            "entry": target.entry,
            "page": page,
            "values": shown,
            "comment": page.sheet.comment if comment is None else comment,
            "committee_note": (
                page.sheet.committee_note if committee_note is None else committee_note
            ),
            "errors": errors or {},
            "confirm": confirm and page.sheet.state == "draft",
            "is_open": rounds.is_open(target.round),
            "is_closed": rounds.is_closed(target.round),
            "points": format_tenths,
            "file_size": file_size,
            "messages": _messages(),
            "page_url": _page_url(target),
            "max_total": sum(c.max_tenths for c in page.criteria),
        },
        status_code=status_code,
    )


@router.get("/judge/rounds/{round_id}/entries/{entry_id}", response_class=HTMLResponse)
def scoring_page(
    request: Request, target: ScoringTarget, db: DbSession, user: CurrentJudge, confirm: int = 0
) -> Response:
    return _scoring(request, db, user, target, confirm=bool(confirm))


def _form_scores(form: dict[str, str], criteria_ids: list[int]) -> dict[str, object]:
    """The form's scores as the API takes them: Decimals, or the text if it is no number."""
    scores: dict[str, object] = {}
    for criterion_id in criteria_ids:
        text = form.get(f"score-{criterion_id}", "").strip().replace("，", ".").replace(",", ".")
        if not text:
            continue
        try:
            scores[str(criterion_id)] = Decimal(text)
        except InvalidOperation:
            scores[str(criterion_id)] = text
    return scores


@router.post("/judge/rounds/{round_id}/entries/{entry_id}", response_class=HTMLResponse)
async def save_from_form(
    request: Request, target: ScoringTarget, db: DbSession, user: CurrentJudge
) -> Response:
    form = await form_values(request)
    action = form.get("action", "save")
    limits = judging.rubric_limits(db, target.round.id)
    ids = list(limits)
    scores = _form_scores(form, ids)
    comment = form.get("comment", "")
    committee_note = form.get("committee_note", "")
    try:
        view = judging.save_sheet(
            db,
            judging.SheetTarget.of(target.round, target.judge, target.entry),
            scores=scores,
            comment=comment,
            submit=action == "confirm",
            actor=user,
            committee_note=committee_note,
        )
        if action == "submit":
            # Saved as a draft first, so nothing typed is lost; then asked to confirm.
            judging.check_complete(limits, view.scores_tenths)
    except InvalidInput as exc:
        values = {i: form.get(f"score-{i}", "") for i in ids}
        return _scoring(
            request,
            db,
            user,
            target,
            values=values,
            comment=comment,
            committee_note=committee_note,
            errors=exc.by_field(),
            status_code=422,
        )
    except StateConflict as exc:
        return redirect(request, _page_url(target), exc.message, "error")
    if action == "submit":
        return redirect(request, _page_url(target) + "?confirm=1")
    if action == "confirm":
        return redirect(request, _page_url(target), _("Your scores are submitted. Thank you."))
    return redirect(request, _page_url(target), _("Draft saved."))


@router.post("/judge/rounds/{round_id}/entries/{entry_id}/recuse", response_class=HTMLResponse)
async def recuse(
    request: Request, target: ScoringTarget, db: DbSession, user: CurrentJudge
) -> Response:
    form = await form_values(request)
    try:
        with db.begin_nested():
            assignment.recuse(
                db,
                user=user,
                judge=target.judge,
                round_=target.round,
                entry=target.entry,
                reason=form.get("reason", ""),
            )
    except InvalidInput as exc:
        return _scoring(request, db, user, target, errors=exc.by_field(), status_code=422)
    except StateConflict as exc:
        return redirect(request, _page_url(target), exc.message, "error")
    return redirect(
        request,
        "/judge",
        _("You have stepped back from this entry; the organisers have been told."),
    )
