"""Pages: a round's conflicts for its organisers (families, exceptions), and a judge's
own declarations (contest/judging/README.md "Conflicts")."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.validation import ascii_int
from contest.core.web.deps import CurrentJudge, CurrentOrganiser, DbSession
from contest.core.web.forms import form_values
from contest.core.web.templating import redirect, render
from contest.judging import conflict_records, declarations
from contest.judging.schemas import DeclarationsIn
from contest.models import Contest, Judge
from contest.setup.deps import OrganisedRound
from contest.setup.nav import round_context

router = APIRouter()


@router.get("/manage/rounds/{round_id}/conflicts", response_class=HTMLResponse)
def conflicts_page(request: Request, round_: OrganisedRound, db: DbSession) -> Response:
    lines = conflict_records.round_conflicts(db, round_)
    return render(
        request,
        "manage/conflicts.html",
        {
            **round_context(db, round_, "conflicts"),
            "lines": lines,
            "families": conflict_records.families(db, round_.contest_id),
        },
    )


def _back(round_id: int) -> str:
    return f"/manage/rounds/{round_id}/conflicts"


@router.post("/manage/rounds/{round_id}/conflicts/families", response_class=HTMLResponse)
async def add_family(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    names = [line.strip()[:200] for line in form.get("members", "").splitlines()][:50]
    contest = db.get(Contest, round_.contest_id)
    assert contest is not None
    try:
        with db.begin_nested():
            conflict_records.add_family(db, actor=user, contest=contest, members=names)
    except InvalidInput as exc:
        return redirect(request, _back(round_.id), exc.errors[0].message, "error")
    return redirect(request, _back(round_.id), _("The family is saved."))


@router.post(
    "/manage/rounds/{round_id}/conflicts/families/{family_id}/delete",
    response_class=HTMLResponse,
)
def remove_family(
    request: Request, family_id: int, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    contest = db.get(Contest, round_.contest_id)
    assert contest is not None
    conflict_records.remove_family(db, actor=user, contest=contest, family_id=family_id)
    return redirect(request, _back(round_.id), _("The family is removed."))


@router.post("/manage/rounds/{round_id}/conflicts/exceptions", response_class=HTMLResponse)
async def add_exception(
    request: Request, round_: OrganisedRound, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    contest = db.get(Contest, round_.contest_id)
    assert contest is not None
    judge_id, entry_id = ascii_int(form.get("judge_id", "")), ascii_int(form.get("entry_id", ""))
    try:
        if judge_id is None or entry_id is None:
            raise InvalidInput.single("judge_id", _("Choose a judge."))
        with db.begin_nested():
            conflict_records.add_exception(
                db,
                actor=user,
                contest=contest,
                judge_id=judge_id,
                entry_id=entry_id,
                reason=form.get("reason", "")[:1000],
            )
    except InvalidInput as exc:
        return redirect(request, _back(round_.id), exc.errors[0].message, "error")
    except StateConflict as exc:
        return redirect(request, _back(round_.id), exc.message, "error")
    return redirect(request, _back(round_.id), _("The exception is recorded."))


# A judge's declarations.


def _lines(text: str, limit: int) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:limit]


def _companies(text: str) -> list[dict[str, str]]:
    """One company a line: its name, then optionally its credit code after a comma."""
    found = []
    for line in _lines(text, 50):
        name, _sep, code = line.replace("，", ",").partition(",")
        found.append({"name": name.strip(), "credit_code": code.strip()})
    return found


def _named_conflicts(text: str) -> list[dict[str, str]]:
    """One a line: an institution or an 18-character credit code, then the reason after
    a comma."""
    found = []
    for line in _lines(text, 50):
        target, _sep, reason = line.replace("，", ",").partition(",")
        target = target.strip()
        key = "credit_code" if len(target) == 18 and target.isalnum() else "institution"
        found.append({key: target, "reason": reason.strip()})
    return found


def _declarations_page(
    request: Request,
    db: DbSession,
    judge: Judge,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    current = declarations.read(db, judge)
    contest = db.get(Contest, judge.contest_id)
    return render(
        request,
        "judge/declarations.html",
        {
            "contest": contest,
            "judge": judge,
            "named": [c for c in current.conflicts if c.entry_id is None],
            "by_entry": [c for c in current.conflicts if c.entry_id is not None],
            "form": form,
            "errors": errors or {},
        },
        status_code=422 if errors else 200,
    )


@router.get("/judge/contests/{contest_id}/declarations", response_class=HTMLResponse)
def declarations_page(
    request: Request, contest_id: int, db: DbSession, user: CurrentJudge
) -> Response:
    judge = declarations.judge_seat(db, user, contest_id)
    return _declarations_page(request, db, judge)


@router.post("/judge/contests/{contest_id}/declarations", response_class=HTMLResponse)
async def save_declarations(
    request: Request, contest_id: int, db: DbSession, user: CurrentJudge
) -> Response:
    judge = declarations.judge_seat(db, user, contest_id)
    form = await form_values(request)
    raw: dict[str, object] = {
        "affiliations": _lines(form.get("affiliations", ""), 20),
        "companies": _companies(form.get("companies", "")),
        "conflicts": _named_conflicts(form.get("conflicts", "")),
    }
    try:
        data = DeclarationsIn.model_validate(raw)
        with db.begin_nested():
            saved = declarations.save(db, actor=user, judge=judge, data=data)
    except (InvalidInput, ValueError) as exc:
        message = (
            exc.errors[0].message
            if isinstance(exc, InvalidInput)
            else _("Check the lines below: each needs a name, and each conflict a reason.")
        )
        return _declarations_page(request, db, judge, form=form, errors={"form": message})
    message = _("Your declarations are saved.")
    if saved.released:
        message += " " + _(
            "%(count)s of your entries now in conflict were given to other judges."
        ) % {"count": len(saved.released)}
    return redirect(request, "/judge", message)
