"""Pages of investors and follow-up: the investor's showcase (phone first), the
organiser's investors and leads, the follow-up pipeline and deals, the team's consents,
and the public list of signed projects (签约项目)."""

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from contest.awards import service as awards
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.labels import deal_kind_label, interest_label
from contest.core.validation import ascii_int
from contest.core.web.deps import (
    CSRF_FIELD,
    AppSettings,
    CurrentOrganiser,
    CurrentUser,
    DbSession,
    csrf_ok,
)
from contest.core.web.forms import form_values, validate
from contest.core.web.templating import redirect, render
from contest.core.web.uploads import pause_database_turn, resume_database_turn
from contest.entries.deps import document_response, receive_file
from contest.investors import (
    access,
    consent,
    deal_documents,
    deals,
    exports,
    interest,
    meetings,
    service,
    showcase,
)
from contest.investors.deps import ContestSeat, EntrySeat, OrganisedDeal, TeamEntry
from contest.investors.schemas import (
    ConsentIn,
    DealCreate,
    DealWithdraw,
    InterestIn,
    InvestorCreate,
    StakesIn,
)
from contest.models import Contest, Deal, Investor
from contest.notices import service as notices
from contest.setup.deps import OrganisedContest
from contest.setup.nav import contest_context

router = APIRouter()
# Uploads read their multipart body as it streams in and check the CSRF token as they
# parse (contest/app.py mounts this router outside the form-reading CSRF check).
streaming_router = APIRouter(include_in_schema=False)


# The investor's pages.


@router.get("/invest", response_class=HTMLResponse)
def investor_home(request: Request, db: DbSession, user: CurrentUser) -> Response:
    access.require_investor(db, user)
    seats = access.seats_of(db, user)
    if len(seats) == 1:
        return RedirectResponse(f"/invest/contests/{seats[0][1].id}", 303)
    return render(request, "invest/home.html", {"seats": seats})


def _stakes_text(stakes: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{s.get('name', '')}, {s['credit_code']}" if s.get("credit_code") else s.get("name", "")
        for s in stakes
    )


def _showcase_page(
    request: Request,
    db: Session,
    seat: Investor,
    *,
    stakes_text: str | None = None,
    stakes_error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    contest = db.get(Contest, seat.contest_id)
    final = awards.final_round(db, seat.contest_id)
    context = {
        "contest": contest,
        "seat": seat,
        "items": showcase.showcase(db, seat),
        "final": final,
        "started": showcase.final_started(db, seat.contest_id),
        "levels": LEVELS,
        "stakes_text": _stakes_text(seat.stakes) if stakes_text is None else stakes_text,
        "stakes_error": stakes_error,
    }
    return render(request, "invest/showcase.html", context, status_code=status_code)


@router.get("/invest/contests/{contest_id}", response_class=HTMLResponse)
def showcase_page(request: Request, seat: ContestSeat, db: DbSession) -> HTMLResponse:
    return _showcase_page(request, db, seat)


def _line_message(loc: tuple[str | int, ...], message: str) -> str:
    """A stake's error with the line it comes from ("stakes", 2, "name" is line 3)."""
    if len(loc) >= 2 and isinstance(loc[1], int):
        return _("Line %(line)s: %(message)s") % {"line": loc[1] + 1, "message": message}
    return message


@router.post("/invest/contests/{contest_id}/stakes", response_model=None)
async def stakes_page(
    request: Request, seat: ContestSeat, db: DbSession, user: CurrentUser
) -> Response:
    """The investor declares the companies it holds a stake in: one a line, "name" or
    "name, credit code"."""
    form = await form_values(request)
    text = form.get("stakes", "")
    stakes = []
    for line in text.replace("，", ",").splitlines()[:50]:
        name, _comma, code = line.partition(",")
        if name.strip() or code.strip():
            stakes.append({"name": name.strip(), "credit_code": code.strip()})
    try:
        with db.begin_nested():
            data = validate(StakesIn, {"stakes": stakes})
            service.declare_stakes(db, actor=user, seat=seat, stakes=data.stakes)
    except InvalidInput as exc:
        message = "; ".join(_line_message(e.loc, e.message) for e in exc.errors)
        return _showcase_page(
            request, db, seat, stakes_text=text, stakes_error=message, status_code=422
        )
    return redirect(
        request, f"/invest/contests/{seat.contest_id}#stakes", _("Your stakes are saved.")
    )


LEVELS = ("watch", "meet", "intent")


@router.post("/invest/entries/{entry_id}/interest")
async def mark_page(
    request: Request, entry_id: int, seat: EntrySeat, db: DbSession, user: CurrentUser
) -> Response:
    form = await form_values(request)
    back = f"/invest/contests/{seat.contest_id}#entry-{entry_id}"
    try:
        with db.begin_nested():
            if form.get("level", "") == "none":
                interest.remove_interest(db, actor=user, seat=seat, entry_id=entry_id)
            else:
                data = validate(
                    InterestIn, {"level": form.get("level", ""), "note": form.get("note", "")}
                )
                interest.set_interest(db, actor=user, seat=seat, entry_id=entry_id, data=data)
    except InvalidInput as exc:
        return redirect(request, back, "; ".join(e.message for e in exc.errors), "error")
    except StateConflict as exc:
        return redirect(request, back, exc.message, "error")
    return redirect(request, back, _("Your mark is saved."))


@router.get("/invest/entries/{entry_id}/business-plan")
def business_plan_page(
    entry_id: int, seat: EntrySeat, db: DbSession, settings: AppSettings, user: CurrentUser
) -> Response:
    document = showcase.business_plan(db, seat, entry_id)
    return document_response(db, settings, user, document, inline=True)


# The organiser's pages.


def _investors_page(
    request: Request,
    db: Session,
    contest: Contest,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    generated: Any = None,
    meeting: meetings.MeetingRequest | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found = interest.leads(db, contest.id)
    context = {
        **contest_context(db, contest, "investors"),
        "investors": service.investors(db, contest.id),
        "leads": found,
        "projects": interest.projects_by_interest(found),
        "meeting": meeting,
        "mail_configured": notices.mail_configured(request.app.state.settings),
        "values": values or {},
        "errors": errors or {},
        "generated": generated,
        "level_label": interest_label,
    }
    return render(request, "manage/investors.html", context, status_code=status_code)


@router.get("/manage/contests/{contest_id}/investors", response_class=HTMLResponse)
def investors_page(request: Request, contest: OrganisedContest, db: DbSession) -> HTMLResponse:
    return _investors_page(request, db, contest)


@router.post("/manage/contests/{contest_id}/meetings", response_model=None)
async def meeting_page(
    request: Request,
    contest: OrganisedContest,
    db: DbSession,
    user: CurrentOrganiser,
    settings: AppSettings,
) -> Response:
    """One click: the meeting request goes out by mail (outbox), or, without mail, the
    page shows it ready to open in the organiser's mail program. Audited either way."""
    form = await form_values(request)
    ids = {name: ascii_int(form.get(name, "")) for name in ("investor_id", "entry_id")}
    for name, value in ids.items():
        if value is None:
            raise InvalidInput.single(name, _("Choose a mark from the list."))
    send = notices.mail_configured(settings)
    made = meetings.request_meeting(
        db,
        actor=user,
        contest=contest,
        investor_id=ids["investor_id"] or 0,
        entry_id=ids["entry_id"] or 0,
        send=send,
    )
    if send:
        return redirect(
            request,
            f"/manage/contests/{contest.id}/investors",
            _("The meeting request is sent to %(to)s.") % {"to": ", ".join(made.to)},
        )
    return _investors_page(request, db, contest, meeting=made)


@router.post("/manage/contests/{contest_id}/investors", response_model=None)
async def invite_page(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    values = {k: form.get(k, "") for k in ("email", "name", "organisation", "password")}
    stakes = [
        {"name": n.strip()}
        for n in form.get("stakes", "").replace("；", ";").split(";")
        if n.strip()
    ]
    try:
        with db.begin_nested():
            added = service.invite_investor(
                db,
                actor=user,
                contest=contest,
                data=validate(InvestorCreate, {**values, "stakes": stakes}),
            )
    except InvalidInput as exc:
        return _investors_page(
            request, db, contest, values=form, errors=exc.by_field(), status_code=422
        )
    except StateConflict as exc:
        return _investors_page(
            request, db, contest, values=form, errors={"email": exc.message}, status_code=409
        )
    if added.invitation_link:
        return _investors_page(request, db, contest, generated=added)
    return redirect(
        request,
        f"/manage/contests/{contest.id}/investors",
        _invited_message(request, added.name),
    )


def _invited_message(request: Request, name: str) -> str:
    if notices.mail_configured(request.app.state.settings):
        return _("%(name)s is invited; an invitation was mailed.") % {"name": name}
    return _("%(name)s is invited. No mail server is configured: the invitation waits in the outbox and the server log.") % {"name": name}  # noqa: E501 (one msgid)


def _follow_up_page(
    request: Request,
    db: Session,
    contest: Contest,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    upload_error: tuple[int, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        **contest_context(db, contest, "follow-up"),
        "upload_error": upload_error,
        "report": deals.follow_up(db, contest.id),
        "deals": deals.deal_lines(db, contest.id, reader="organiser", withdrawn=True),
        "finalists": showcase.finalists(db, contest.id),
        "values": values or {},
        "errors": errors or {},
        "kinds": [(k, deal_kind_label(k)) for k in exports.KINDS],
        "kind_label": deal_kind_label,
        "stage_label": exports.stage_label,
        "count_label": exports.count_label,
        "consents": consent.published_entries(db, contest.id),
    }
    return render(request, "manage/follow_up.html", context, status_code=status_code)


@router.get("/manage/contests/{contest_id}/follow-up", response_class=HTMLResponse)
def follow_up_page(request: Request, contest: OrganisedContest, db: DbSession) -> HTMLResponse:
    return _follow_up_page(request, db, contest)


@router.post("/manage/contests/{contest_id}/deals", response_model=None)
async def record_deal_page(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    raw = {k: form.get(k, "").strip() for k in ("kind", "partner", "signed_on", "note")}
    data: dict[str, Any] = {**raw, "public": form.get("public") == "1"}
    if form.get("amount_wan", "").strip():
        data["amount_wan"] = form["amount_wan"].strip()
    try:
        with db.begin_nested():
            entry = deals.contest_entry(db, contest.id, ascii_int(form.get("entry_id", "")))
            deals.record_deal(db, actor=user, entry=entry, data=validate(DealCreate, data))
    except InvalidInput as exc:
        return _follow_up_page(
            request, db, contest, values=form, errors=exc.by_field(), status_code=422
        )
    return redirect(request, f"/manage/contests/{contest.id}/follow-up", _("The deal is recorded."))


@router.post("/manage/deals/{deal_id}/withdraw", response_model=None)
async def withdraw_deal_page(
    request: Request, deal: OrganisedDeal, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    back = f"/manage/contests/{deal.contest_id}/follow-up"
    try:
        with db.begin_nested():
            body = validate(DealWithdraw, {"reason": form.get("reason", "")})
            deals.withdraw_deal(db, actor=user, deal=deal, reason=body.reason)
    except InvalidInput:
        return redirect(request, back, _("Give a reason to withdraw a deal."), "error")
    except StateConflict as exc:
        return redirect(request, back, exc.message, "error")
    return redirect(request, back, _("The deal is withdrawn."))


@streaming_router.post("/manage/deals/{deal_id}/document")
async def deal_document_page(
    request: Request,
    deal: OrganisedDeal,
    db: DbSession,
    user: CurrentOrganiser,
    settings: AppSettings,
) -> Response:
    back = f"/manage/contests/{deal.contest_id}/follow-up"
    try:
        await run_in_threadpool(deal_documents.require_can_attach, deal)
        await pause_database_turn(request, db)
        form = await receive_file(
            request, settings, csrf=lambda fields: csrf_ok(request, fields.get(CSRF_FIELD))
        )
        assert form.file is not None
        await resume_database_turn(request)
        await run_in_threadpool(
            deal_documents.attach_document,
            db,
            actor=user,
            deal=deal,
            received=form.file,
            settings=settings,
        )
    except InvalidInput as exc:
        message = "; ".join(e.message for e in exc.errors)
        return await run_in_threadpool(_upload_refused, request, db, deal, message, 422)
    except StateConflict as exc:
        return await run_in_threadpool(_upload_refused, request, db, deal, exc.message, 409)
    except HTTPException as exc:
        if exc.status_code != 413:
            raise
        return await run_in_threadpool(
            _upload_refused, request, db, deal, str(exc.detail), 413
        )
    return redirect(request, back, _("The document is attached to the deal."))


def _upload_refused(
    request: Request, db: Session, deal: Deal, message: str, status_code: int
) -> HTMLResponse:
    """The follow-up page again, the reason next to the deal's file field."""
    contest = db.get(Contest, deal.contest_id)
    assert contest is not None
    return _follow_up_page(
        request, db, contest, upload_error=(deal.id, message), status_code=status_code
    )


# The team's page.


@router.get("/team/entries/{entry_id}/investors", response_class=HTMLResponse)
def team_page(request: Request, entry: TeamEntry, db: DbSession) -> HTMLResponse:
    context = {
        "entry": entry,
        "contest": db.get(Contest, entry.contest_id),
        "consent": consent.of(db, entry.id),
        "interest": interest.team_view(db, entry),
        "deals": deals.entry_deals(db, entry.id),
        "kind_label": deal_kind_label,
        "level_label": interest_label,
    }
    return render(request, "team/investors.html", context)


@router.post("/team/entries/{entry_id}/investors", response_model=None)
async def team_consent_page(
    request: Request, entry: TeamEntry, db: DbSession, user: CurrentUser
) -> Response:
    form = await form_values(request)
    data = ConsentIn(**{name: form.get(name) == "1" for name in consent.FIELDS})
    consent.set_consent(db, actor=user, entry=entry, data=data)
    return redirect(request, f"/team/entries/{entry.id}/investors", _("Your choices are saved."))


# The public page.


@router.get("/results/{contest_id}/signed", response_class=HTMLResponse)
def signed_page(request: Request, contest_id: int, db: DbSession) -> HTMLResponse:
    contest = access.deals_contest(db, None, contest_id)
    lines = deals.deal_lines(db, contest.id, reader="public")
    context = {"contest": contest, "lines": lines, "kind_label": deal_kind_label}
    return render(request, "public/signed.html", context)
