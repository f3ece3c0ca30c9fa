"""Pages: edit, deactivate, reactivate or remove one judge of a contest's panel
(contest/judging/panel.py); the panel itself is contest/setup/pages/judges.py."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.web.deps import CurrentOrganiser, DbSession
from contest.core.web.forms import form_values, validate
from contest.core.web.templating import redirect, render
from contest.judging import panel
from contest.judging.assignment import Released
from contest.models import Contest, Judge, User
from contest.setup.deps import OrganisedJudge
from contest.setup.nav import contest_context
from contest.setup.schemas import JudgeUpdate

router = APIRouter(prefix="/manage/judges/{judge_id}")


def _panel_url(judge: Judge) -> str:
    return f"/manage/contests/{judge.contest_id}/judges"


def _edit_page(
    request: Request,
    db: Session,
    judge: Judge,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    contest = db.get(Contest, judge.contest_id)
    account = db.get(User, judge.user_id)
    assert contest is not None
    assert account is not None
    shown = values or {
        "name": account.name,
        "institution": judge.institution,
        "title": judge.title,
        "expertise": "; ".join(judge.expertise),
    }
    return render(
        request,
        "manage/judge_edit.html",
        {
            **contest_context(db, contest, "judges"),
            "judge": judge,
            "account": account,
            "submitted": panel.submitted_sheets(db, judge),
            "values": shown,
            "errors": errors or {},
        },
        status_code=status_code,
    )


def _released_message(done: str, released: list[Released]) -> str:
    if not released:
        return done
    short = sum(1 for item in released if item.replacement_judge_id is None)
    text = _("%(count)s unsubmitted assignments went to other judges.") % {
        "count": len(released) - short
    }
    if short:
        text += " " + _("%(count)s entries found no eligible judge: see the assignments page.") % {
            "count": short
        }
    return f"{done} {text}"


@router.get("", response_class=HTMLResponse)
def edit_page(request: Request, judge: OrganisedJudge, db: DbSession) -> Response:
    return _edit_page(request, db, judge)


@router.post("", response_class=HTMLResponse)
async def edit(
    request: Request, judge: OrganisedJudge, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    values: dict[str, Any] = {key: form.get(key, "") for key in ("name", "institution", "title")}
    values["expertise"] = [
        p.strip() for p in form.get("expertise", "").replace("；", ";").split(";") if p.strip()
    ]
    try:
        with db.begin_nested():
            data = validate(JudgeUpdate, values)
            released = panel.update_judge(db, actor=user, judge=judge, data=data)
    except InvalidInput as exc:
        return _edit_page(request, db, judge, values=form, errors=exc.by_field(), status_code=422)
    return redirect(request, _panel_url(judge), _released_message(_("Judge saved."), released))


@router.post("/deactivate", response_class=HTMLResponse)
async def deactivate(
    request: Request, judge: OrganisedJudge, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    reason = form.get("reason", "").strip()[:1000]
    released = panel.deactivate(db, actor=user, judge=judge, reason=reason)
    return redirect(
        request, _panel_url(judge), _released_message(_("Judge deactivated."), released)
    )


@router.post("/reactivate", response_class=HTMLResponse)
async def reactivate(
    request: Request, judge: OrganisedJudge, db: DbSession, user: CurrentOrganiser
) -> Response:
    panel.reactivate(db, actor=user, judge=judge)
    return redirect(request, _panel_url(judge), _("Judge reactivated."))


@router.post("/remove", response_class=HTMLResponse)
async def remove(
    request: Request, judge: OrganisedJudge, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    reason = form.get("reason", "").strip()[:1000]
    url = _panel_url(judge)
    try:
        with db.begin_nested():
            released = panel.remove(db, actor=user, judge=judge, reason=reason)
    except StateConflict as exc:
        return _edit_page(request, db, judge, errors={"remove": exc.message}, status_code=409)
    return redirect(request, url, _released_message(_("Judge removed from the panel."), released))
