"""The whole-contest workbook as a background job: at 100,000 entries it takes several
seconds even written by one process per core; the organiser follows a progress page and
downloads it when ready instead of holding a request open."""

import shutil
from zoneinfo import ZoneInfo

from sqlmodel import Session

from contest.core.i18n import N_, use_locale
from contest.exports import tables
from contest.exports.parallel import write_contest_workbook
from contest.jobs import service as jobs
from contest.jobs.context import JobContext
from contest.jobs.registry import JobFailed, job
from contest.models import Contest, Job, User

KIND = "exports.workbook"


def start(db: Session, *, actor: User, contest: Contest, language: str) -> Job:
    params = {"contest_id": contest.id, "language": language}
    return jobs.submit(db, kind=KIND, params=params, user_id=actor.id, contest_id=contest.id)


@job(KIND, title=N_("The whole contest in one workbook"), max_attempts=3, retry_delay_s=15.0)
def write(context: JobContext) -> None:
    with context.database.session(write=False) as db:
        contest = db.get(Contest, context.params["contest_id"])
        if contest is None:
            raise JobFailed("the contest no longer exists")
    context.progress(0.05, force=True)  # the sheets are being written in parallel
    written = write_contest_workbook(context.database, contest, ZoneInfo(context.settings.timezone))
    path = context.result_file("workbook.xlsx")
    shutil.move(written, path)
    with use_locale(context.params.get("language", "zh")):
        name = tables.workbook_name(contest)
    context.set_result(path, name)
