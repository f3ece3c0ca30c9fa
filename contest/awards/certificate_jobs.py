"""Certificates of a whole contest as a background job: the ZIP of one PDF each, or one
printable PDF. A thousand certificates take minutes to draw; the organiser follows a
progress bar (/jobs/{id}) instead of a request that seems to hang."""

from typing import Any, Literal

from sqlmodel import Session

from contest.awards import certificates
from contest.awards.certificate_pdf import iter_certificates_zip, render_certificates_pdf
from contest.core.i18n import N_, _, use_locale
from contest.jobs import service as jobs
from contest.jobs.context import JobContext
from contest.jobs.registry import JobFailed, job
from contest.kit.tables import safe_filename
from contest.models import Contest, Job, User

KIND = "awards.certificates"
Format = Literal["zip", "pdf"]
# From this many certificates the ZIP is drawn by two processes.
POOL_FROM = 40
CHUNK = 4


def start(db: Session, *, actor: User, contest: Contest, fmt: Format, language: str) -> Job:
    """Queue the contest's certificates as one file; the job belongs to `actor`."""
    params: dict[str, Any] = {"contest_id": contest.id, "format": fmt, "language": language}
    return jobs.submit(db, kind=KIND, params=params, user_id=actor.id, contest_id=contest.id)


@job(KIND, title=N_("Certificates for download"), max_attempts=3, retry_delay_s=15.0)
def draw(context: JobContext) -> None:
    fmt = context.params["format"]
    with context.database.session(write=False) as db:
        contest = db.get(Contest, context.params["contest_id"])
        if contest is None:
            raise JobFailed("the contest no longer exists")
        datas = certificates.printable(db, contest, context.settings.base_url)
    if not datas:
        raise JobFailed("no certificate yet: certificates are issued when awards are published")
    with use_locale(context.params.get("language", "zh")):
        name = safe_filename(f"{contest.name}-{_('certificates')}") + f".{fmt}"
    path = context.result_file(f"certificates.{fmt}")
    if fmt == "pdf":
        path.write_bytes(render_certificates_pdf(datas))
    else:
        workers = 2 if len(datas) >= POOL_FROM else 1
        with path.open("wb") as out:
            # Each piece but the last follows one more certificate written.
            # Small chunks: the pool hands certificates back a few at a time, so the bar
            # moves steadily (a chunk costs the pool one more round trip, ~1 ms).
            pieces = iter_certificates_zip(
                datas, certificates.file_name, workers=workers, chunk_size=CHUNK
            )
            for done, piece in enumerate(pieces):
                out.write(piece)
                context.progress(done / len(datas))
    context.set_result(path, name)
