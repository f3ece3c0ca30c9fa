"""Pages: an organiser's contests, their settings and tracks, and the audit log."""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from contest.core.enums import ContestStatus
from contest.core.errors import InvalidInput, NotFound
from contest.core.i18n import _
from contest.core.web.deps import CurrentOrganiser, DbSession
from contest.core.web.forms import (
    blank_to_none,
    datetime_local_value,
    drop_blank,
    form_values,
    lines,
    local_datetime,
    validate,
)
from contest.core.web.templating import display_zone, redirect, render
from contest.kit.tables import csv_stream, safe_cell
from contest.models import Contest, Track
from contest.setup import audit_log, contests, copying, judges, rounds
from contest.setup.copy_schemas import ContestCopy
from contest.setup.deps import OrganisedContest
from contest.setup.nav import contest_context
from contest.setup.presets import apply_standard_template
from contest.setup.schemas import ContestCreate, ContestUpdate, TrackCreate, TrackUpdate

router = APIRouter(prefix="/manage")

CONTEST_FIELDS = (
    "name",
    "name_en",
    "series",
    "edition",
    "year",
    "description",
    "max_entries_per_team",
    "objection_days",
)


def _contest_values(form: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {name: form.get(name, "") for name in CONTEST_FIELDS}
    values["organisers"] = lines(form.get("organisers", ""))
    values["registration_opens_at"] = local_datetime(form.get("registration_opens_at", ""))
    values["registration_closes_at"] = local_datetime(form.get("registration_closes_at", ""))
    return drop_blank(blank_to_none(values, "edition"), "max_entries_per_team", "objection_days")


def _contest_form(contest: Contest | None) -> dict[str, Any]:
    if contest is None:
        return {"year": "", "max_entries_per_team": 1, "objection_days": 5, "organisers": ""}
    return {
        **{name: getattr(contest, name) for name in CONTEST_FIELDS},
        "organisers": "\n".join(contest.organisers),
        "registration_opens_at": datetime_local_value(contest.registration_opens_at),
        "registration_closes_at": datetime_local_value(contest.registration_closes_at),
        "status": contest.status,
    }


@router.get("", response_class=HTMLResponse)
def my_contests(request: Request, db: DbSession, user: CurrentOrganiser) -> Response:
    items = contests.organised_contests(db, user)
    counts = {c.id: contests.contest_counts(db, c.id) for c in items}
    return render(request, "manage/contests.html", {"contests": items, "counts": counts})


@router.get("/contests/new", response_class=HTMLResponse)
def new_contest_page(request: Request, user: CurrentOrganiser) -> Response:
    return render(
        request,
        "manage/contest_form.html",
        {"values": {**_contest_form(None), "standard": True}, "errors": {}, "contest": None},
    )


@router.post("/contests/new", response_class=HTMLResponse)
async def create_contest(request: Request, db: DbSession, user: CurrentOrganiser) -> Response:
    form = await form_values(request)
    try:
        data = validate(ContestCreate, _contest_values(form))
        contest = contests.create_contest(db, actor=user, data=data)
        if form.get("standard"):
            apply_standard_template(db, actor=user, contest=contest)
    except InvalidInput as exc:
        return render(
            request,
            "manage/contest_form.html",
            {
                "values": {**form, "standard": bool(form.get("standard"))},
                "errors": exc.by_field(),
                "contest": None,
            },
            status_code=422,
        )
    return redirect(request, f"/manage/contests/{contest.id}", _("Contest created."))


def _overview(
    request: Request,
    db: DbSession,
    contest: Contest,
    track_values: dict[str, Any] | None = None,
    track_errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = contest_context(db, contest, "overview")
    return render(
        request,
        "manage/contest.html",
        {
            **context,
            "counts": contests.contest_counts(db, contest.id),
            "judge_count": len(judges.panel(db, contest.id)),
            "round_states": {
                r.id: (rounds.is_open(r), rounds.is_closed(r)) for r in context["nav_rounds"]
            },
            "statuses": list(ContestStatus),
            "registration_open": contests.registration_open(contest),
            "track_values": track_values or {},
            "track_errors": track_errors or {},
        },
        status_code=status_code,
    )


@router.get("/contests/{contest_id}", response_class=HTMLResponse)
def contest_overview(request: Request, contest: OrganisedContest, db: DbSession) -> Response:
    return _overview(request, db, contest)


@router.get("/contests/{contest_id}/edit", response_class=HTMLResponse)
def edit_contest_page(request: Request, contest: OrganisedContest, db: DbSession) -> Response:
    return render(
        request,
        "manage/contest_form.html",
        {
            **contest_context(db, contest, "overview"),
            "values": _contest_form(contest),
            "errors": {},
        },
    )


@router.post("/contests/{contest_id}/edit", response_class=HTMLResponse)
async def edit_contest(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    try:
        with db.begin_nested():
            data = validate(ContestUpdate, _contest_values(form))
            contests.update_contest(db, actor=user, contest=contest, data=data)
    except InvalidInput as exc:
        return render(
            request,
            "manage/contest_form.html",
            {**contest_context(db, contest, "overview"), "values": form, "errors": exc.by_field()},
            status_code=422,
        )
    return redirect(request, f"/manage/contests/{contest.id}", _("Changes saved."))


COPY_FIELDS = (
    "name", "year", "edition", "registration_opens_at", "registration_closes_at"
)


@router.post("/contests/{contest_id}/copy", response_class=HTMLResponse)
async def copy_contest(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    """The settings page's "copy this set-up" form: its fields are named copy_<field>."""
    form = await form_values(request)
    values: dict[str, Any] = {name: form.get(f"copy_{name}", "") for name in COPY_FIELDS}
    for name in ("registration_opens_at", "registration_closes_at"):
        values[name] = local_datetime(values[name])
    try:
        with db.begin_nested():
            data = validate(ContestCopy, blank_to_none(values, "edition"))
            new = copying.copy_setup(db, actor=user, source=contest, data=data)
    except InvalidInput as exc:
        errors = {f"copy_{name}": text for name, text in exc.by_field().items()}
        return render(
            request,
            "manage/contest_form.html",
            {
                **contest_context(db, contest, "overview"),
                "values": _contest_form(contest),
                "errors": {},
                "copy_values": form,
                "copy_errors": errors or {"copy_name": _("Please correct the marked fields.")},
            },
            status_code=422,
        )
    return redirect(
        request,
        f"/manage/contests/{new.id}",
        _("Set-up copied from %(name)s: check the new contest's dates and rounds.")
        % {"name": contest.name},
    )


@router.post("/contests/{contest_id}/status", response_class=HTMLResponse)
async def change_status(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    data = validate(ContestUpdate, {"status": form.get("status", "")})
    contests.update_contest(db, actor=user, contest=contest, data=data)
    return redirect(request, f"/manage/contests/{contest.id}", _("Status changed."))


def _track_values(form: dict[str, str]) -> dict[str, Any]:
    return blank_to_none(
        {
            "code": form.get("code", ""),
            "name": form.get("name", ""),
            "name_en": form.get("name_en", ""),
            "requires_company": bool(form.get("requires_company")),
            "max_company_age_years": form.get("max_company_age_years", ""),
        },
        "max_company_age_years",
    )


@router.post("/contests/{contest_id}/tracks", response_class=HTMLResponse)
async def add_track(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    try:
        with db.begin_nested():
            contests.add_track(
                db, actor=user, contest=contest, data=validate(TrackCreate, _track_values(form))
            )
    except InvalidInput as exc:
        return _overview(request, db, contest, form, exc.by_field(), status_code=422)
    return redirect(request, f"/manage/contests/{contest.id}", _("Track added."))


def _organised_track(db: DbSession, contest: Contest, track_id: int) -> Track:
    track = db.get(Track, track_id)
    if track is None or track.contest_id != contest.id:
        raise NotFound()
    return track


@router.get("/contests/{contest_id}/tracks/{track_id}/edit", response_class=HTMLResponse)
def edit_track_page(
    request: Request, contest: OrganisedContest, track_id: int, db: DbSession
) -> Response:
    track = _organised_track(db, contest, track_id)
    return render(
        request,
        "manage/track_form.html",
        {
            **contest_context(db, contest, "overview"),
            "track": track,
            "errors": {},
            "values": {
                "name": track.name,
                "name_en": track.name_en,
                "requires_company": track.requires_company,
                "max_company_age_years": track.max_company_age_years or "",
            },
        },
    )


@router.post("/contests/{contest_id}/tracks/{track_id}/edit", response_class=HTMLResponse)
async def edit_track(
    request: Request,
    contest: OrganisedContest,
    track_id: int,
    db: DbSession,
    user: CurrentOrganiser,
) -> Response:
    track = _organised_track(db, contest, track_id)
    form = await form_values(request)
    values = _track_values(form)
    values.pop("code")
    try:
        with db.begin_nested():
            contests.update_track(db, actor=user, track=track, data=validate(TrackUpdate, values))
    except InvalidInput as exc:
        return render(
            request,
            "manage/track_form.html",
            {
                **contest_context(db, contest, "overview"),
                "track": track,
                "errors": exc.by_field(),
                "values": form,
            },
            status_code=422,
        )
    return redirect(request, f"/manage/contests/{contest.id}", _("Changes saved."))


@router.get("/contests/{contest_id}/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, contest: OrganisedContest, db: DbSession, page: int = 1
) -> Response:
    filters = audit_log.AuditFilters.from_mapping(dict(request.query_params))
    page = min(max(page, 1), 100_000)
    lines, has_next = audit_log.audit_page(db, contest.id, filters, display_zone(), page)
    query = urlencode(filters.as_query())
    return render(
        request,
        "manage/audit.html",
        {
            **contest_context(db, contest, "audit"),
            "lines": lines,
            "page": page,
            "has_next": has_next,
            "filters": filters,
            "choices": audit_log.filter_choices(db, contest.id),
            "page_url": f"?{query}&" if query else "?",
            "csv_url": f"/manage/contests/{contest.id}/audit.csv" + (f"?{query}" if query else ""),
            "zone": display_zone().key,
        },
    )


@router.get("/contests/{contest_id}/audit.csv")
def audit_csv(request: Request, contest: OrganisedContest, db: DbSession) -> Response:
    """The filtered log for a spreadsheet. Built in the request (labels are translated in
    the request's language); at most audit_log.CSV_LIMIT records."""
    filters = audit_log.AuditFilters.from_mapping(dict(request.query_params))
    rows = list(audit_log.csv_rows(db, contest.id, filters, display_zone()))
    body = b"".join(csv_stream(audit_log.CSV_HEADERS, ([safe_cell(v) for v in r] for r in rows)))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="audit-{contest.id}.csv"',
            "Cache-Control": "private, no-store",
        },
    )
