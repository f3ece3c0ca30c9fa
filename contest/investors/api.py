"""API routes of investors and follow-up (docs/api.md "Investors and follow-up")."""

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from contest.core.web.deps import (
    AppSettings,
    CurrentOrganiser,
    CurrentUser,
    DbSession,
    OptionalUser,
)
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
from contest.investors.deps import (
    ContestSeat,
    EntrySeat,
    OrganisedDeal,
    TeamEntry,
    csv_response,
    xlsx_response,
)
from contest.investors.schemas import (
    ConsentIn,
    ConsentPublic,
    DealCreate,
    DealPublic,
    DealWithdraw,
    FollowUpPublic,
    InterestIn,
    InterestPublic,
    InvestorCreate,
    InvestorPublic,
    LeadPublic,
    ShowcaseItem,
    StakesIn,
    TeamInterestPublic,
)
from contest.kit.uploads import content_disposition, file_form_body
from contest.notices import service as notices
from contest.setup.deps import OrganisedContest, OrganisedEntry

router = APIRouter(tags=["investors"])

UPLOAD_BODY = file_form_body()


class MeetingIn(BaseModel):
    investor_id: int
    entry_id: int


class MeetingOut(BaseModel):
    to: list[str]
    subject: str
    body: str
    mailto: str
    queued: int  # mails put in the outbox; 0 without mail (use `mailto`)


@router.post(
    "/contests/{contest_id}/investors",
    response_model=InvestorPublic,
    status_code=status.HTTP_201_CREATED,
)
def invite(
    body: InvestorCreate, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> InvestorPublic:
    return service.invite_investor(db, actor=user, contest=contest, data=body)


@router.get("/contests/{contest_id}/investors", response_model=list[InvestorPublic])
def list_investors(contest: OrganisedContest, db: DbSession) -> list[InvestorPublic]:
    return service.investors(db, contest.id)


@router.put("/contests/{contest_id}/stakes", response_model=InvestorPublic)
def declare_stakes(
    body: StakesIn, seat: ContestSeat, db: DbSession, user: CurrentUser
) -> InvestorPublic:
    service.declare_stakes(db, actor=user, seat=seat, stakes=body.stakes)
    return service.public(seat, user)


@router.get("/contests/{contest_id}/showcase", response_model=list[ShowcaseItem])
def get_showcase(seat: ContestSeat, db: DbSession) -> list[ShowcaseItem]:
    return showcase.showcase(db, seat)


@router.get("/entries/{entry_id}/business-plan", response_class=Response)
def business_plan(
    entry_id: int, seat: EntrySeat, db: DbSession, settings: AppSettings, user: CurrentUser
) -> Response:
    """The business plan, to an investor of the contest, if the team agreed to share it."""
    document = showcase.business_plan(db, seat, entry_id)
    return document_response(db, settings, user, document, inline=True)


@router.put("/entries/{entry_id}/interest", response_model=InterestPublic)
def mark_interest(
    entry_id: int, body: InterestIn, seat: EntrySeat, db: DbSession, user: CurrentUser
) -> InterestPublic:
    mark = interest.set_interest(db, actor=user, seat=seat, entry_id=entry_id, data=body)
    return InterestPublic(
        entry_id=mark.entry_id, level=mark.level, note=mark.note, at=mark.updated_at
    )


@router.delete("/entries/{entry_id}/interest", status_code=status.HTTP_204_NO_CONTENT)
def unmark_interest(entry_id: int, seat: EntrySeat, db: DbSession, user: CurrentUser) -> None:
    interest.remove_interest(db, actor=user, seat=seat, entry_id=entry_id)


@router.get("/entries/{entry_id}/interest", response_model=TeamInterestPublic)
def team_interest(entry: TeamEntry, db: DbSession) -> TeamInterestPublic:
    return interest.team_view(db, entry)


@router.get("/entries/{entry_id}/consent", response_model=ConsentPublic)
def get_consent(entry: TeamEntry, db: DbSession) -> ConsentPublic:
    return consent.public(consent.of(db, entry.id))


@router.put("/entries/{entry_id}/consent", response_model=ConsentPublic)
def put_consent(
    body: ConsentIn, entry: TeamEntry, db: DbSession, user: CurrentUser
) -> ConsentPublic:
    return consent.public(consent.set_consent(db, actor=user, entry=entry, data=body))


@router.get("/contests/{contest_id}/leads", response_model=list[LeadPublic])
def get_leads(contest: OrganisedContest, db: DbSession) -> list[LeadPublic]:
    return [lead.public() for lead in interest.leads(db, contest.id)]


@router.get("/contests/{contest_id}/leads.csv", response_class=StreamingResponse)
def leads_csv(contest: OrganisedContest, db: DbSession, settings: AppSettings) -> StreamingResponse:
    return csv_response(exports.leads_table(db, contest), db, settings)


@router.get("/contests/{contest_id}/leads.xlsx", response_class=StreamingResponse)
def leads_xlsx(
    contest: OrganisedContest, db: DbSession, settings: AppSettings
) -> StreamingResponse:
    return xlsx_response([exports.leads_table(db, contest)], db, settings)


@router.post("/contests/{contest_id}/meetings", response_model=MeetingOut)
def meeting(
    body: MeetingIn,
    contest: OrganisedContest,
    db: DbSession,
    user: CurrentOrganiser,
    settings: AppSettings,
) -> MeetingOut:
    made = meetings.request_meeting(
        db,
        actor=user,
        contest=contest,
        investor_id=body.investor_id,
        entry_id=body.entry_id,
        send=notices.mail_configured(settings),
    )
    return MeetingOut(
        to=made.to, subject=made.subject, body=made.body, mailto=made.mailto, queued=made.queued
    )


@router.post(
    "/entries/{entry_id}/deals", response_model=DealPublic, status_code=status.HTTP_201_CREATED
)
def record_deal(
    body: DealCreate, entry: OrganisedEntry, db: DbSession, user: CurrentOrganiser
) -> DealPublic:
    deal = deals.record_deal(db, actor=user, entry=entry, data=body)
    return deals.DealLine(deal, entry).public(with_note=True)


@router.get("/contests/{contest_id}/deals", response_model=list[DealPublic])
def list_deals(contest_id: int, db: DbSession, user: OptionalUser) -> list[DealPublic]:
    """Organisers: every deal; a team: its own and the public ones; anyone: public ones."""
    contest = access.deals_contest(db, user, contest_id)
    reader = access.deals_reader(db, user, contest)
    lines = deals.deal_lines(db, contest.id, reader=reader, team=user)
    return [
        line.public(
            with_note=reader == "organiser" or (user is not None and line.entry.owner_id == user.id)
        )
        for line in lines
    ]


@router.post("/deals/{deal_id}/withdraw", response_model=DealPublic)
def withdraw_deal(
    body: DealWithdraw, deal: OrganisedDeal, db: DbSession, user: CurrentOrganiser
) -> DealPublic:
    deals.withdraw_deal(db, actor=user, deal=deal, reason=body.reason)
    return deals.DealLine(deal, deals.entry_of(db, deal)).public(with_note=True)


@router.post(
    "/deals/{deal_id}/document",
    response_model=DealPublic,
    status_code=status.HTTP_201_CREATED,
    openapi_extra=UPLOAD_BODY,
    responses={413: {"description": "The file is over the upload limit."}},
)
async def upload_deal_document(
    request: Request,
    deal: OrganisedDeal,
    db: DbSession,
    user: CurrentOrganiser,
    settings: AppSettings,
) -> DealPublic:
    """The deal's PDF (multipart `file`), replacing an earlier one; organisers only."""
    await run_in_threadpool(deal_documents.require_can_attach, deal)
    await pause_database_turn(request, db)
    form = await receive_file(request, settings)
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
    entry = await run_in_threadpool(deals.entry_of, db, deal)
    return deals.DealLine(deal, entry).public(with_note=True)


@router.get(
    "/deals/{deal_id}/document",
    response_class=FileResponse,
    responses={200: {"content": {"application/pdf": {}}}},
)
def deal_document(
    deal_id: int, db: DbSession, user: CurrentUser, settings: AppSettings
) -> FileResponse:
    """The deal's PDF: for the contest's organisers and the team that owns the entry."""
    deal = deal_documents.readable_deal(db, user, deal_id)
    path = deal_documents.document_path(settings, deal)
    return FileResponse(
        path,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition(deal.filename or "deal.pdf"),
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/contests/{contest_id}/deals.csv", response_class=StreamingResponse)
def deals_csv(contest: OrganisedContest, db: DbSession, settings: AppSettings) -> StreamingResponse:
    return csv_response(exports.deals_table(db, contest), db, settings)


@router.get("/contests/{contest_id}/deals.xlsx", response_class=StreamingResponse)
def deals_xlsx(
    contest: OrganisedContest, db: DbSession, settings: AppSettings
) -> StreamingResponse:
    return xlsx_response([exports.deals_table(db, contest)], db, settings)


@router.get("/contests/{contest_id}/follow-up", response_model=FollowUpPublic)
def follow_up(contest: OrganisedContest, db: DbSession) -> FollowUpPublic:
    return deals.follow_up(db, contest.id)


@router.get("/contests/{contest_id}/follow-up.xlsx", response_class=StreamingResponse)
def follow_up_xlsx(
    contest: OrganisedContest, db: DbSession, settings: AppSettings
) -> StreamingResponse:
    """The sponsors' report: the counts, the pipeline, the deals and the leads."""
    tables = [
        exports.counts_table(db, contest),
        exports.pipeline_table(db, contest),
        exports.deals_table(db, contest),
        exports.leads_table(db, contest),
    ]
    return xlsx_response(tables, db, settings, filename=f"follow-up-{contest.id}")
