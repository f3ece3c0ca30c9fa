"""API routes: certificates (download, ZIP, printable PDF, revocation), public verification,
and the public announcement list (公示) PDF."""

from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import Response, StreamingResponse

from contest.awards import announcement as public_announcement
from contest.awards import certificate_jobs, certificates, verification
from contest.awards.announcement_pdf import render_announcement
from contest.awards.certificate_pdf import (
    CertificateData,
    iter_certificates_zip,
    render_certificate,
    render_certificates_pdf,
)
from contest.awards.certificate_schemas import (
    CertificateJobIn,
    CertificatePublic,
    RevokeRequest,
    VerifyResult,
)
from contest.core.errors import NotFound, StateConflict
from contest.core.i18n import _, current_locale
from contest.core.web.deps import AppSettings, CurrentOrganiser, CurrentUser, DbSession
from contest.jobs import service as jobs
from contest.jobs.schemas import JobPublic
from contest.kit.tables import content_disposition, safe_filename
from contest.models import Award, Certificate
from contest.setup.deps import OrganisedContest

router = APIRouter(tags=["certificates"])

PDF: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}
# Below this many certificates the process pool's start-up costs more than it saves.
POOL_FROM = 40


def _pdf(content: bytes, filename: str) -> Response:
    headers = {"Content-Disposition": content_disposition(filename), "Cache-Control": "private"}
    return Response(content, media_type="application/pdf", headers=headers)


def _downloadable(
    award_id: int, db: DbSession, user: CurrentUser, settings: AppSettings
) -> CertificateData:
    line = certificates.downloadable(db, user, award_id)
    if line.revoked:
        raise HTTPException(status.HTTP_410_GONE, _("This certificate has been revoked."))
    return certificates.render_data(db, line, settings.base_url)


def _printable(
    contest: OrganisedContest, db: DbSession, settings: AppSettings
) -> list[CertificateData]:
    datas = certificates.printable(db, contest, settings.base_url)
    if not datas:
        raise StateConflict(
            _("No certificate yet: certificates are issued when awards are published.")
        )
    return datas


@router.get("/awards/{award_id}/certificate.pdf", responses=PDF, response_class=Response)
def certificate_pdf(data: Annotated[CertificateData, Depends(_downloadable)]) -> Response:
    """One certificate, for the contest's organisers and the entry's team (410 if revoked)."""
    return _pdf(render_certificate(data), certificates.file_name(data))


@router.get(
    "/contests/{contest_id}/certificates.zip",
    responses={200: {"content": {"application/zip": {}}}},
    response_class=StreamingResponse,
)
def certificates_zip(
    contest: OrganisedContest, datas: Annotated[list[CertificateData], Depends(_printable)]
) -> StreamingResponse:
    """Every valid certificate, one PDF each, in a ZIP streamed while it is drawn."""
    workers = 2 if len(datas) >= POOL_FROM else 1
    name = safe_filename(f"{contest.name}-{_('certificates')}") + ".zip"
    return StreamingResponse(
        iter_certificates_zip(datas, certificates.file_name, workers=workers),
        media_type="application/zip",
        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "private"},
    )


@router.get("/contests/{contest_id}/certificates.pdf", responses=PDF, response_class=Response)
def certificates_pdf(
    contest: OrganisedContest, datas: Annotated[list[CertificateData], Depends(_printable)]
) -> Response:
    """Every valid certificate as the pages of one printable PDF."""
    name = safe_filename(f"{contest.name}-{_('certificates')}") + ".pdf"
    return _pdf(render_certificates_pdf(datas), name)


@router.post(
    "/contests/{contest_id}/certificates/jobs",
    response_model=JobPublic,
    status_code=status.HTTP_202_ACCEPTED,
)
def certificates_job(
    body: CertificateJobIn,
    contest: OrganisedContest,
    datas: Annotated[list[CertificateData], Depends(_printable)],
    db: DbSession,
    user: CurrentOrganiser,
) -> JobPublic:
    """Draw every valid certificate in the background (ZIP or one PDF); follow the job at
    GET /api/v1/jobs/{id}, whose result_url offers the file when it is done."""
    started = certificate_jobs.start(
        db, actor=user, contest=contest, fmt=body.format, language=current_locale()
    )
    return JobPublic(**jobs.public(started))


@router.get("/contests/{contest_id}/certificates", response_model=list[CertificatePublic])
def list_certificates(contest: OrganisedContest, db: DbSession) -> list[CertificatePublic]:
    lines = certificates.contest_certificates(db, contest.id)
    return [CertificatePublic.of(line.certificate, line.award) for line in lines]


@router.get("/verify/{code}", response_model=VerifyResult)
def verify(code: str, db: DbSession) -> VerifyResult:
    """Public: what a certificate says and whether it still stands; 404 for an unknown code."""
    found = verification.verify(db, code)
    if found is None:
        raise NotFound()
    return VerifyResult.model_validate(found)


def _organised_certificate(
    code: str, db: DbSession, user: CurrentOrganiser
) -> tuple[Certificate, Award]:
    # A dependency, so that another organiser's code is a 404 before the body is read.
    return certificates.organised_certificate(db, user, code)


OrganisedCertificate = Annotated[tuple[Certificate, Award], Depends(_organised_certificate)]


@router.post("/certificates/{code}/revoke", response_model=CertificatePublic)
def revoke(
    body: RevokeRequest, found: OrganisedCertificate, db: DbSession, user: CurrentOrganiser
) -> CertificatePublic:
    """Revoke a certificate, with the reason (audited); 409 if it already is."""
    certificate, award = found
    certificates.revoke_certificate(
        db, actor=user, certificate=certificate, award=award, reason=body.reason
    )
    return CertificatePublic.of(certificate, award)


ListParam = Annotated[
    Literal["finalists", "winners"] | None,
    Query(alias="list", description="finalists or winners (default: the newest published)"),
]


LanguageParam = Annotated[
    Literal["zh", "en"],
    Query(
        alias="lang",
        description="zh: the official notice (default); en: its English version, with the "
        "English names of the contest, tracks and awards where set",
    ),
]


@router.get("/contests/{contest_id}/results.pdf", responses=PDF, response_class=Response)
def announcement_pdf(
    contest_id: int,
    db: DbSession,
    settings: AppSettings,
    kind: ListParam = None,
    language: LanguageParam = "zh",
) -> Response:
    """Public once published: the finalists or winners list (公示) as a printable PDF."""
    contest, data = public_announcement.published_list(
        db, contest_id, kind, ZoneInfo(settings.timezone), language
    )
    name = safe_filename(f"{data.contest_name}-{data.heading}") + ".pdf"
    return _pdf(render_announcement(data), name)
