"""Pages: the exports of a contest, each as CSV and XLSX (the files come from the API)."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from contest.awards import announcement as public_announcement
from contest.awards import public_results
from contest.core.i18n import current_locale
from contest.core.web.deps import CurrentOrganiser, DbSession
from contest.core.web.templating import redirect, render
from contest.exports import parallel as exports_parallel
from contest.exports import tables as exports_tables
from contest.exports import workbook_job
from contest.setup.deps import OrganisedContest
from contest.setup.nav import contest_context

router = APIRouter(prefix="/manage")


@router.get("/contests/{contest_id}/exports", response_class=HTMLResponse)
def exports_page(request: Request, contest: OrganisedContest, db: DbSession) -> Response:
    published = public_results.contest_results(db, contest)
    overview = exports_tables.overview(db, contest)
    exports_parallel.warm_up(request.app.state.database, overview.entries)
    context = {
        **contest_context(db, contest, "exports"),
        "overview": overview,
        "lists": public_announcement.available_lists(published),
    }
    return render(request, "manage/exports.html", context)


@router.post("/contests/{contest_id}/exports/workbook", response_class=HTMLResponse)
def prepare_workbook(
    request: Request, contest: OrganisedContest, db: DbSession, user: CurrentOrganiser
) -> Response:
    """Start writing the whole-contest workbook; its page shows when it is ready."""
    started = workbook_job.start(db, actor=user, contest=contest, language=current_locale())
    back = quote(f"/manage/contests/{contest.id}/exports")
    return redirect(request, f"/jobs/{started.id}?back={back}")
