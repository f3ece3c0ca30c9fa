"""Page: a contest's outbox, the mails sent (or, without SMTP, kept) for it."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from contest.core.web.deps import AppSettings, DbSession
from contest.core.web.templating import render
from contest.notices import service as notices
from contest.setup.deps import OrganisedContest
from contest.setup.nav import contest_context

router = APIRouter(prefix="/manage")
PER_PAGE = 50


@router.get("/contests/{contest_id}/outbox", response_class=HTMLResponse)
def outbox_page(
    request: Request,
    contest: OrganisedContest,
    db: DbSession,
    settings: AppSettings,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    outbox = notices.contest_outbox(db, contest.id, offset=(page - 1) * PER_PAGE, limit=PER_PAGE)
    return render(
        request,
        "manage/outbox.html",
        {
            **contest_context(db, contest, "outbox"),
            "outbox": outbox,
            "mail_configured": notices.mail_configured(settings),
            "page": page,
            "has_next": page * PER_PAGE < outbox.total,
        },
    )
