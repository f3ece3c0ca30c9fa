"""Pages: the organiser's awards page (preview, tie resolution, save, publish) and the
public results page of a contest.

The awards page previews with GET (its query is the request: scope, counts, names and
the choices for tied projects), saves what was previewed with POST, and publishes.
"""

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from contest.awards import public_results
from contest.awards import service as awards
from contest.awards.schemas import AwardsIn
from contest.core.enums import Tier
from contest.core.errors import FieldError, InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.validation import is_ascii_number
from contest.core.web.deps import CurrentOrganiser, DbSession
from contest.core.web.forms import form_values, validate
from contest.core.web.templating import redirect, render
from contest.models import Contest
from contest.setup.deps import OrganisedContest
from contest.setup.nav import contest_context

router = APIRouter()

TIERS = tuple(t.value for t in Tier)
DEFAULT_COUNTS = {"gold": "1", "silver": "2", "bronze": "3", "excellence": "0"}
# Fields of the awards form; everything else in a query or form is ignored.
FIELDS = (
    "scope", *TIERS, *(f"name-{t}" for t in TIERS), *(f"name_en-{t}" for t in TIERS)
)


def _values(query: dict[str, str]) -> dict[str, str]:
    """The form's fields as shown: the defaults where the query says nothing."""
    values = {"scope": "per_track", **DEFAULT_COUNTS}
    values.update({k: v for k, v in query.items() if k in FIELDS or k.startswith("resolve-")})
    return values


def _request(values: dict[str, str], reason: str = "") -> awards.AwardRequest:
    errors = [
        FieldError((tier,), _("Enter a whole number, 0 or more."))
        for tier in TIERS
        if values.get(tier, "").strip() and not is_ascii_number(values[tier].strip(), 6)
    ]
    if errors:
        raise InvalidInput(errors)
    tiers = [
        {"tier": t, "count": int(values[t].strip() or 0)}
        for t in TIERS
        if values.get(t, "").strip()
    ]
    resolve = {
        key.removeprefix("resolve-"): (None if value == "none" else value)
        for key, value in values.items()
        if key.startswith("resolve-") and value
    }
    body = validate(
        AwardsIn,
        {
            "scope": values.get("scope") or "per_track",
            "tiers": tiers,
            "resolve": resolve,
            "custom_names": {t: values.get(f"name-{t}", "") for t in TIERS},
            "custom_names_en": {t: values.get(f"name_en-{t}", "") for t in TIERS},
            "reason": reason,
        },
    )
    return awards.request_of(body)


def _page_url(contest: Contest, values: dict[str, str]) -> str:
    return f"/manage/contests/{contest.id}/awards?{urlencode(values)}"


def _context(
    db: DbSession,
    contest: Contest,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    reason: str = "",
) -> dict[str, Any]:
    context: dict[str, Any] = {
        **contest_context(db, contest, "awards"),
        "values": values,
        "errors": dict(errors or {}),
        "reason": reason,
        "saved": awards.saved_awards(db, contest.id),
        "final": awards.final_round(db, contest.id),
        "blocked": awards.blocked(db, contest),
        "published": awards.is_published(db, contest.id),
        "tier_label": awards.tier_label,
        "plan": None,
        "ties": (),
    }
    if context["final"] is None or context["published"]:
        return context
    try:
        request = _request(values)
    except InvalidInput as exc:
        context["errors"].update(exc.by_field())
        request = awards.AwardRequest()
    try:
        plan = awards.plan(db, contest=contest, request=request)
    except InvalidInput:  # a choice names a project that is not in the final
        context["errors"]["resolve"] = _(
            "A choice named a project that is not in the final; it was left out."
        )
        request = replace(request, resolve={})
        plan = awards.plan(db, contest=contest, request=request)
    # Every tie across a boundary, settled or not, so a choice made can be changed.
    unsettled = awards.plan(db, contest=contest, request=replace(request, resolve={}))
    context["plan"] = plan
    context["ties"] = unsettled.conflict.ties if unsettled.conflict else ()
    context["titles"] = {line.entry_id: line.title for line in plan.outcome.all_lines()}
    return context


@router.get("/manage/contests/{contest_id}/awards", response_class=HTMLResponse)
def awards_page(request: Request, contest: OrganisedContest, db: DbSession) -> Response:
    values = _values(dict(request.query_params))
    return render(request, "manage/awards.html", _context(db, contest, values))


@router.post("/manage/contests/{contest_id}/awards", response_class=HTMLResponse)
async def save(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    values = _values(form)
    reason = form.get("reason", "")
    try:
        saved = awards.save_awards(
            db, actor=user, contest=contest, request=_request(values, reason)
        )
    except InvalidInput as exc:
        context = _context(db, contest, values, exc.by_field(), reason)
        return render(request, "manage/awards.html", context, status_code=422)
    except StateConflict as exc:
        return redirect(request, _page_url(contest, values), exc.message, "error")
    message = _("%(count)s awards saved. Publish them when they are final.") % {"count": len(saved)}
    return redirect(request, _page_url(contest, values), message)


@router.post("/manage/contests/{contest_id}/awards/publish", response_class=HTMLResponse)
def publish(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    url = f"/manage/contests/{contest.id}/awards"
    try:
        published = awards.publish_awards(db, actor=user, contest=contest)
    except StateConflict as exc:
        return redirect(request, url, exc.message, "error")
    message = _("%(count)s awards published; their certificates are issued.") % {
        "count": len(published)
    }
    return redirect(request, url, message)


@router.get("/results/{contest_id}", response_class=HTMLResponse)
def public_results_page(request: Request, contest_id: int, db: DbSession) -> Response:
    contest = public_results.public_contest(db, contest_id)
    found = public_results.contest_results(db, contest)
    return render(request, "public/results.html", {"found": found, "tier_label": awards.tier_label})
