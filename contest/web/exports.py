"""Pages: the exports of a contest, each as CSV and XLSX (the files come from the API)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from contest import exports_parallel, exports_tables, public_announcement, public_results
from contest.deps import DbSession, OrganisedContest
from contest.web.common import contest_context
from contest.web.templating import render

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
