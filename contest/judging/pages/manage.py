"""Pages: a round's assignments and judging progress, for its organisers."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from contest.core.errors import InvalidInput, NotFound, StateConflict
from contest.core.i18n import _
from contest.core.validation import ascii_int, is_ascii_number
from contest.core.web.deps import AppSettings, CurrentOrganiser, DbSession
from contest.core.web.forms import form_values
from contest.core.web.templating import format_datetime, redirect, render
from contest.judging import assignment, progress, reminders
from contest.judging import overview as assignment_overview
from contest.judging import sheets as judging
from contest.models import Contest, Round
from contest.notices import service as notices
from contest.setup.deps import OrganisedRound
from contest.setup.nav import round_context

router = APIRouter(prefix="/manage/rounds/{round_id}")


def _page_number(value: int) -> int:
    return max(value, 1)


def _assignments_page(
    request: Request,
    db: DbSession,
    round_: Round,
    *,
    q: str = "",
    show: str = "all",
    page: int = 1,
    error: str | None = None,
    seed: str = "",
    status_code: int = 200,
) -> Response:
    figures = assignment_overview.overview(db, round_)
    rows, total = assignment_overview.entry_rows(
        db, round_, figures.loads, q=q, short_only=show == "short", page=page
    )
    pages = max((total + assignment_overview.PER_PAGE - 1) // assignment_overview.PER_PAGE, 1)
    return render(
        request,
        "manage/assignments.html",
        {
            **round_context(db, round_, "assignments"),
            "figures": figures,
            "rows": rows,
            "total": total,
            "q": q,
            "show": show,
            "page": page,
            "pages": pages,
            "error": error,
            "seed": seed,
            "back": f"?q={q}&show={show}&page={page}",
        },
        status_code=status_code,
    )


@router.get("/assignments", response_class=HTMLResponse)
def assignments_page(
    request: Request,
    round_: OrganisedRound,
    db: DbSession,
    q: str = "",
    show: str = "all",
    page: int = 1,
) -> Response:
    return _assignments_page(request, db, round_, q=q, show=show, page=_page_number(page))


@router.post("/assignments/auto", response_class=HTMLResponse)
async def run_auto_assignment(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    text = form.get("seed", "").strip()
    if text and not is_ascii_number(text):
        return _assignments_page(
            request,
            db,
            round_,
            seed=text,
            status_code=422,
            error=_("The seed must be a whole number, or left empty."),
        )
    try:
        result = assignment.auto_assign(
            db,
            actor=user,
            round_=round_,
            seed=int(text) if text else None,
            rebalance=bool(form.get("rebalance")),
        )
    except StateConflict as exc:
        return _assignments_page(request, db, round_, error=exc.message, seed=text, status_code=409)
    message = _(
        "Automatic assignment done with seed %(seed)s: %(added)s assignments added, %(kept)s "
        "kept; judges have %(min)s to %(max)s entries each."
    ) % {
        "seed": result.seed,
        "added": result.added,
        "kept": result.kept,
        "min": result.min_load,
        "max": result.max_load,
    }
    return redirect(request, f"/manage/rounds/{round_.id}/assignments", message)


def _pair(form: dict[str, str]) -> tuple[int, int]:
    judge_id = ascii_int(form.get("judge_id", ""))
    entry_id = ascii_int(form.get("entry_id", ""))
    if judge_id is None or entry_id is None:
        raise InvalidInput.single("judge_id", _("Choose a judge."))
    return judge_id, entry_id


def _back(round_: Round, form: dict[str, str]) -> str:
    back = form.get("back", "")
    return f"/manage/rounds/{round_.id}/assignments" + (back if back.startswith("?") else "")


@router.post("/assignments/add", response_class=HTMLResponse)
async def add_assignment(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    try:
        judge_id, entry_id = _pair(form)
        assignment.add_assignment(
            db, actor=user, round_=round_, judge_id=judge_id, entry_id=entry_id
        )
    except (InvalidInput, StateConflict) as exc:
        message = exc.message if isinstance(exc, StateConflict) else str(exc.errors[0].message)
        return redirect(request, _back(round_, form), message, "error")
    return redirect(request, _back(round_, form), _("Judge assigned."))


@router.post("/assignments/remove", response_class=HTMLResponse)
async def remove_assignment(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    try:
        judge_id, entry_id = _pair(form)
        assignment.remove_assignment(
            db, actor=user, round_=round_, judge_id=judge_id, entry_id=entry_id
        )
    except (InvalidInput, NotFound):
        return redirect(request, _back(round_, form), _("No such assignment."), "error")
    except StateConflict as exc:
        return redirect(request, _back(round_, form), exc.message, "error")
    return redirect(request, _back(round_, form), _("Assignment removed."))


def _progress_context(
    request: Request, db: DbSession, round_: Round, show: str, page: int
) -> dict[str, Any]:
    show = show if show in progress.ENTRY_FILTERS else "all"
    lines = progress.judge_lines(db, round_)
    entries, total = progress.entry_lines(db, round_, show=show, page=page)
    contest = db.get(Contest, round_.contest_id)
    assert contest is not None
    base_url = request.app.state.settings.base_url
    closes = format_datetime(round_.closes_at) if round_.closes_at else None
    return {
        **round_context(db, round_, "progress"),
        "summary": progress.summary(db, round_),
        "lines": lines,
        "entries": entries,
        "total": total,
        "show": show,
        "page": page,
        "pages": max((total + progress.PER_PAGE - 1) // progress.PER_PAGE, 1),
        "reminder": progress.reminder(contest, round_, lines, base_url=base_url, closes=closes),
        "mail_configured": notices.mail_configured(request.app.state.settings),
        "late_only": request.query_params.get("late") == "1",
    }


@router.get("/progress", response_class=HTMLResponse)
def progress_page(
    request: Request, round_: OrganisedRound, db: DbSession, show: str = "all", page: int = 1
) -> Response:
    context = _progress_context(request, db, round_, show, _page_number(page))
    return render(request, "manage/progress.html", context)


@router.post("/sheets/reopen", response_class=HTMLResponse)
async def reopen_sheet(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    back = f"/manage/rounds/{round_.id}/progress" + (
        form.get("back", "") if form.get("back", "").startswith("?") else ""
    )
    try:
        judge_id, entry_id = _pair(form)
        judging.reopen_sheet(
            db,
            actor=user,
            round_=round_,
            judge_id=judge_id,
            entry_id=entry_id,
            reason=form.get("reason", ""),
        )
    except InvalidInput as exc:
        return redirect(request, back, exc.errors[0].message, "error")
    except (NotFound, StateConflict):
        return redirect(
            request, back, _("This sheet is not submitted; there is nothing to reopen."), "error"
        )
    return redirect(request, back, _("Sheet reopened; the judge can change it again."))


@router.post("/reminders", response_class=HTMLResponse)
def send_reminders(
    request: Request,
    round_: OrganisedRound,
    db: DbSession,
    user: CurrentOrganiser,
    settings: AppSettings,
) -> Response:
    back = f"/manage/rounds/{round_.id}/progress"
    try:
        queued = reminders.send_reminders(db, actor=user, round_=round_, settings=settings)
    except StateConflict:
        return redirect(request, back, _("The round is closed: reminders are no use now."), "error")
    if not queued:
        return redirect(request, back, _("Nobody is late: no reminder was sent."))
    message = _("Reminders queued for %(count)s judges; see the outbox.") % {"count": queued}
    return redirect(request, back, message)
