"""Pages: a job's progress (polls the API), and its result file once done."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from contest.core.errors import NotFound
from contest.core.i18n import _
from contest.core.web.deps import CurrentUser, DbSession
from contest.core.web.templating import render, safe_next
from contest.jobs import registry, service

router = APIRouter()


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: int, db: DbSession, user: CurrentUser) -> Response:
    job = service.job_of(db, user, job_id)
    back = request.query_params.get("back", "")
    return render(
        request,
        "job.html",
        {
            "job": service.public(job),
            "title": _(registry.title(job.kind)),
            "back": safe_next(back) if back else "",
        },
    )


@router.get("/jobs/{job_id}/result")
def job_result(job_id: int, db: DbSession, user: CurrentUser) -> Response:
    job = service.job_of(db, user, job_id)
    path = Path(job.result_path)
    if service.result_url(job) is None or not path.is_file():
        raise NotFound()
    return FileResponse(
        path,
        filename=job.result_name or path.name,
        headers={"Cache-Control": "private, no-store"},
    )
