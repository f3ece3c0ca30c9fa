"""API routes: a job's state, for whoever started it."""

from fastapi import APIRouter

from contest.core.web.deps import CurrentUser, DbSession
from contest.jobs import service
from contest.jobs.schemas import JobPublic

router = APIRouter(tags=["jobs"])


@router.get("/jobs/{job_id}", response_model=JobPublic)
def get_job(job_id: int, db: DbSession, user: CurrentUser) -> JobPublic:
    return JobPublic(**service.public(service.job_of(db, user, job_id)))
