"""API routes: privacy notices, and a team's personal data (docs/api.md "Personal information")."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from contest.consent import service as consent
from contest.core.web.deps import AppSettings, CurrentOrganiser, DbSession, OptionalUser
from contest.kit.tables import safe_filename
from contest.kit.uploads import content_disposition
from contest.privacy import data, erase, service
from contest.privacy.schemas import EraseRequest, EraseResult, NoticePublic, NoticeUpdate
from contest.setup.deps import OrganisedContest, OrganisedEntry

router = APIRouter(tags=["privacy"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/privacy-notice", response_model=NoticePublic)
def site_notice() -> NoticePublic:
    """The site's notice, agreed to at sign-up (`privacy_consent` of /auth/register)."""
    return NoticePublic.of(consent.site_notice(), None)


@router.get("/contests/{contest_id}/privacy-notice", response_model=NoticePublic)
def contest_notice(
    contest_id: int,
    db: DbSession,
    user: OptionalUser,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> NoticePublic:
    """The contest's notice (current, or `version`), agreed to on the entry form."""
    contest = service.public_contest(db, user, contest_id)
    return NoticePublic.of(service.notice_version(db, contest, version), contest.id)


@router.put("/contests/{contest_id}/privacy-notice", response_model=NoticePublic)
def edit_notice(
    body: NoticeUpdate, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> NoticePublic:
    """A new version when the text changed (audited); the same version otherwise."""
    notice = consent.save(
        db, actor=user, contest=contest, text_zh=body.text_zh, text_en=body.text_en
    )
    return NoticePublic.of(notice, contest.id)


@router.get("/entries/{entry_id}/personal-data")
def personal_data(entry: OrganisedEntry, db: DbSession, user: CurrentOrganiser) -> dict[str, Any]:
    """The team's personal data: account, entries with members, consents, uploads."""
    return service.exported(db, actor=user, entry=entry, fmt="json")


@router.get("/entries/{entry_id}/personal-data.xlsx", response_class=Response)
def personal_data_xlsx(entry: OrganisedEntry, db: DbSession, user: CurrentOrganiser) -> Response:
    collected = service.exported(db, actor=user, entry=entry, fmt="xlsx")
    name = safe_filename(f"personal-data-entry-{entry.id}.xlsx")
    return Response(
        data.xlsx_bytes(collected),
        media_type=XLSX,
        headers={"Content-Disposition": content_disposition(name)},
    )


@router.post("/entries/{entry_id}/personal-data/erase", response_model=EraseResult)
def erase_personal_data(
    body: EraseRequest,
    entry: OrganisedEntry,
    db: DbSession,
    user: CurrentOrganiser,
    settings: AppSettings,
) -> EraseResult:
    """After the contest only (409 before); 422 without a reason."""
    done = erase.erase(db, settings, actor=user, entry=entry, reason=body.reason)
    return EraseResult(
        entry_ids=done.entry_ids,
        kept_for_certificates=done.kept_for_certificates,
        documents_removed=done.documents_removed,
        mails_removed=done.mails_removed,
        account_erased=done.account_erased,
    )
