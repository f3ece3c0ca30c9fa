"""Pages: public certificate verification, and the organiser's list of certificates."""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from contest.awards import certificate_jobs, certificates, verification
from contest.core.errors import InvalidInput
from contest.core.i18n import _, current_locale
from contest.core.web.deps import CurrentOrganiser, DbSession
from contest.core.web.forms import form_values
from contest.core.web.templating import redirect, render
from contest.setup.deps import OrganisedContest
from contest.setup.nav import contest_context

router = APIRouter()


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request, code: str = "") -> Response:
    """The form to type a code; a submitted code goes to its own page (a URL to share)."""
    typed = code.strip()
    if typed:
        return redirect(request, f"/verify/{quote(typed, safe='')}")
    return render(request, "public/verify.html", {"code": ""})


@router.get("/verify/{code}", response_class=HTMLResponse)
def verify_page(request: Request, code: str, db: DbSession) -> Response:
    """Green for a valid certificate, red for a revoked one, a 404 page for an unknown code."""
    found = verification.verify(db, code)
    status_code = 200 if found is not None else 404
    context = {"found": found, "code": code.strip()[: verification.MAX_CODE_LENGTH]}
    return render(request, "public/verify_result.html", context, status_code=status_code)


def _list_context(
    db: DbSession, contest: OrganisedContest, errors: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    lines = certificates.contest_certificates(db, contest.id)
    return {
        **contest_context(db, contest, "certificates"),
        "lines": lines,
        "valid_count": sum(1 for line in lines if not line.revoked),
        "errors": errors or {},
        **extra,
    }


@router.get("/manage/contests/{contest_id}/certificates", response_class=HTMLResponse)
def certificates_page(request: Request, contest: OrganisedContest, db: DbSession) -> Response:
    return render(request, "manage/certificates.html", _list_context(db, contest))


@router.post("/manage/contests/{contest_id}/certificates/prepare", response_class=HTMLResponse)
async def prepare_certificates(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    """Start drawing the certificates in the background; its page shows the progress."""
    form = await form_values(request)
    fmt: certificate_jobs.Format = "pdf" if form.get("format") == "pdf" else "zip"
    back = f"/manage/contests/{contest.id}/certificates"
    if not _list_context(db, contest)["valid_count"]:
        message = _("No certificate yet: certificates are issued when awards are published.")
        return redirect(request, back, message, "error")
    started = certificate_jobs.start(
        db, actor=user, contest=contest, fmt=fmt, language=current_locale()
    )
    return redirect(request, f"/jobs/{started.id}?back={quote(back)}")


@router.post("/manage/contests/{contest_id}/certificates/revoke", response_class=HTMLResponse)
async def revoke_certificate(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    form = await form_values(request)
    code, reason = form.get("code", ""), form.get("reason", "")
    try:
        certificate, award = certificates.organised_certificate(
            db, user, code, contest_id=contest.id
        )
        certificates.revoke_certificate(
            db, actor=user, certificate=certificate, award=award, reason=reason
        )
    except InvalidInput as exc:
        context = _list_context(db, contest, exc.by_field(), open_code=code, reason=reason)
        return render(request, "manage/certificates.html", context, status_code=422)
    message = _("Certificate %(code)s has been revoked.") % {"code": certificate.code}
    return redirect(request, f"/manage/contests/{contest.id}/certificates", message)
