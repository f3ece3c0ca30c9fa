"""Pages: the judging panel of a contest, judges one by one or from CSV, and conflicts."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from contest.accounts import service as auth
from contest.core.errors import InvalidInput, NotFound, StateConflict, TooManyAttempts
from contest.core.i18n import _
from contest.core.validation import ascii_int
from contest.core.web.deps import CurrentOrganiser, DbSession
from contest.core.web.forms import form_values, validate
from contest.core.web.templating import redirect, render
from contest.models import Contest
from contest.notices.service import mail_configured
from contest.setup import judges
from contest.setup.deps import OrganisedContest, OrganisedJudge
from contest.setup.nav import contest_context
from contest.setup.schemas import JudgeCreate

router = APIRouter(prefix="/manage")


def _panel_page(
    request: Request,
    db: DbSession,
    contest: Contest,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    import_errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "manage/judges.html",
        {
            **contest_context(db, contest, "judges"),
            "panel": judges.panel(db, contest.id),
            "conflicts": judges.conflict_rows(db, contest.id),
            "entry_choices": judges.entry_choices(db, contest.id),
            "values": values or {},
            "errors": errors or {},
            "import_errors": import_errors or [],
            "mail_configured": mail_configured(request.app.state.settings),
        },
        status_code=status_code,
    )


@router.get("/contests/{contest_id}/judges", response_class=HTMLResponse)
def panel_page(request: Request, contest: OrganisedContest, db: DbSession) -> Response:
    return _panel_page(request, db, contest)


@router.post("/contests/{contest_id}/judges", response_class=HTMLResponse)
async def add_judge(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    values: dict[str, Any] = {
        key: form.get(key, "") for key in ("email", "name", "institution", "title", "password")
    }
    values["expertise"] = [
        p.strip() for p in form.get("expertise", "").replace("；", ";").split(";") if p.strip()
    ]
    try:
        with db.begin_nested():
            judges.add_judge(
                db, actor=user, contest=contest, data=validate(JudgeCreate, values)
            )
    except InvalidInput as exc:
        return _panel_page(
            request, db, contest, values=form, errors=exc.by_field(), status_code=422
        )
    except StateConflict as exc:
        return _panel_page(
            request, db, contest, values=form, errors={"email": exc.message}, status_code=409
        )
    return redirect(
        request, f"/manage/contests/{contest.id}/judges", _invited_message(request, 1)
    )


@router.post("/contests/{contest_id}/judges/import", response_class=HTMLResponse)
async def import_judges(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await request.form()
    upload = form.get("file")
    content = await upload.read() if upload is not None and not isinstance(upload, str) else b""
    try:
        with db.begin_nested():
            rows = judges.parse_judges_csv(content)
            added = judges.import_judges(db, actor=user, contest=contest, rows=rows)
    except InvalidInput as exc:
        messages = [f"{e.field}: {e.message}" for e in exc.errors]
        return _panel_page(request, db, contest, import_errors=messages, status_code=422)
    return redirect(
        request, f"/manage/contests/{contest.id}/judges", _invited_message(request, len(added))
    )


def _invited_message(request: Request, count: int) -> str:
    """The same words whether the addresses had accounts: each judge got a mail, with a
    set-password link or a log-in link, and the organiser learns nothing more."""
    if mail_configured(request.app.state.settings):
        return _("%(count)s judges added; each was mailed an invitation.") % {"count": count}
    return _("%(count)s judges added. No mail server is configured: the invitations wait in the outbox and the server log.") % {"count": count}  # noqa: E501 (one msgid)


@router.post("/judges/{judge_id}/password-reset")
def send_judge_link(
    request: Request, judge: OrganisedJudge, db: DbSession, user: CurrentOrganiser
) -> Response:
    """The judges page's button: mail the judge a link to choose a password."""
    back = f"/manage/contests/{judge.contest_id}/judges"
    try:
        judges.send_link(db, actor=user, judge=judge)
    except TooManyAttempts as exc:
        return redirect(request, back, exc.message, "error")
    configured = mail_configured(request.app.state.settings)
    return redirect(request, back, auth.link_sent_message(configured))


@router.post("/contests/{contest_id}/conflicts", response_class=HTMLResponse)
async def declare_conflict(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    try:
        with db.begin_nested():
            judge_id = ascii_int(form.get("judge_id", "")) or 0
            judge = judges.judge_in_contest(db, contest.id, judge_id)
            entry_id = ascii_int(form.get("entry_id", "")) or 0
            judges.declare_conflict(
                db, actor=user, judge=judge, entry_id=entry_id, reason=form.get("reason", "")
            )
    except (InvalidInput, NotFound, ValueError):
        return _panel_page(
            request,
            db,
            contest,
            status_code=422,
            errors={"conflict": _("Choose a judge and an entry of this contest.")},
        )
    return redirect(request, f"/manage/contests/{contest.id}/judges", _("Conflict recorded."))
