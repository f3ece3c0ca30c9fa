"""Pages: the privacy notices (public), the organiser's notice editor, and a team's
personal data (export links, erasure after the contest)."""

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from contest.consent import service as consent
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.web.deps import AppSettings, CurrentOrganiser, DbSession, OptionalUser
from contest.core.web.templating import redirect, render
from contest.models import Contest, Entry, User
from contest.privacy import data, erase, service
from contest.setup.deps import OrganisedContest, OrganisedEntry
from contest.setup.nav import contest_context

router = APIRouter()


@router.get("/privacy", response_class=HTMLResponse)
def site_notice_page(request: Request) -> Response:
    return render(
        request, "privacy/notice.html", {"notice": consent.site_notice(), "notice_contest": None}
    )


@router.get("/contests/{contest_id}/privacy", response_class=HTMLResponse)
def contest_notice_page(
    request: Request,
    contest_id: int,
    db: DbSession,
    user: OptionalUser,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    contest = service.public_contest(db, user, contest_id)
    notice = service.notice_version(db, contest, version)
    return render(request, "privacy/notice.html", {"notice": notice, "notice_contest": contest})


def _editor(
    request: Request,
    db: DbSession,
    contest: Contest,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    notice = consent.current(db, contest)
    return render(
        request,
        "privacy/manage_notice.html",
        {
            **contest_context(db, contest, "privacy"),
            "notice": notice,
            "versions": consent.versions(db, contest.id),
            "values": values or {"text_zh": notice.text_zh, "text_en": notice.text_en},
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/manage/contests/{contest_id}/privacy", response_class=HTMLResponse)
def notice_editor(request: Request, contest: OrganisedContest, db: DbSession) -> Response:
    return _editor(request, db, contest)


@router.post("/manage/contests/{contest_id}/privacy", response_class=HTMLResponse)
def save_notice(
    request: Request,
    contest: OrganisedContest,
    db: DbSession,
    user: CurrentOrganiser,
    text_zh: Annotated[str, Form(max_length=consent.MAX_TEXT)] = "",
    text_en: Annotated[str, Form(max_length=consent.MAX_TEXT)] = "",
) -> Response:
    before = consent.current(db, contest).version
    try:
        with db.begin_nested():
            notice = consent.save(db, actor=user, contest=contest, text_zh=text_zh, text_en=text_en)
    except InvalidInput as exc:
        values = {"text_zh": text_zh, "text_en": text_en}
        return _editor(request, db, contest, values=values, errors=exc.by_field(), status_code=422)
    message = (
        _("Saved as version %(n)s: new entries agree to this version.") % {"n": notice.version}
        if notice.version != before
        else _("Nothing changed: the notice stays at version %(n)s.") % {"n": notice.version}
    )
    return redirect(request, f"/manage/contests/{contest.id}/privacy", message)


def _data_page(
    request: Request,
    db: DbSession,
    entry: Entry,
    *,
    reason: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    contest = db.get(Contest, entry.contest_id)
    assert contest is not None
    return render(
        request,
        "privacy/personal_data.html",
        {
            **contest_context(db, contest, "entries"),
            "entry": entry,
            "held": data.collect(db, entry),
            "owner": db.get(User, entry.owner_id) if entry.owner_id is not None else None,
            "not_over": erase.not_over_reason(db, contest),
            "reason": reason,
            "errors": errors or {},
        },
        status_code=status_code,
    )


@router.get("/manage/entries/{entry_id}/personal-data", response_class=HTMLResponse)
def personal_data_page(request: Request, entry: OrganisedEntry, db: DbSession) -> Response:
    return _data_page(request, db, entry)


@router.post("/manage/entries/{entry_id}/personal-data/erase", response_class=HTMLResponse)
def erase_personal_data(
    request: Request,
    entry: OrganisedEntry,
    db: DbSession,
    user: CurrentOrganiser,
    settings: AppSettings,
    reason: Annotated[str, Form(max_length=erase.REASON_MAX)] = "",
) -> Response:
    try:
        with db.begin_nested():
            done = erase.erase(db, settings, actor=user, entry=entry, reason=reason)
    except InvalidInput as exc:
        return _data_page(request, db, entry, reason=reason, errors=exc.by_field(), status_code=422)
    except StateConflict as exc:
        return _data_page(
            request, db, entry, reason=reason, errors={"__all__": exc.message}, status_code=409
        )
    message = _(
        "Personal data erased: %(entries)s entry(ies), %(documents)s document(s) removed."
    ) % {"entries": len(done.entry_ids), "documents": done.documents_removed}
    return redirect(request, f"/manage/entries/{entry.id}/personal-data", message)
