"""The outbox: queue a mail (rendered now, sent by a job after the commit), read it back.

    from contest.notices import service as notices
    notices.enqueue(db, to=user.email, kind="entry_submitted", language=user.locale,
                    contest_id=contest.id, context={"name": ..., "entry": ..., "link": ...})
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func
from sqlmodel import Session, col, select

from contest.core.settings import Settings, get_settings
from contest.jobs import engine as jobs_engine
from contest.jobs import service as jobs
from contest.models import Contest, Job, OutboxMail
from contest.notices import kinds, render

DELIVER_JOB = "notices.deliver"
# Mails queued in one transaction share a delivery job, up to this many per job: the
# job's progress stays meaningful and several workers can share a mass mailing.
MAILS_PER_JOB = 500
_JOB_KEY = "tianjiao_notices_job"


def site_settings() -> Settings:
    """This process's settings (the app's or the worker's), for links and times in
    mails queued by services that are not handed the settings."""
    return jobs_engine.runtime().settings if jobs_engine.configured() else get_settings()


def site_url(path: str) -> str:
    """An absolute link for a mail (read outside the site): TIANJIAO_BASE_URL + path."""
    return site_settings().base_url + path


def site_time(value: datetime) -> str:
    """A time as the pages show it: in the contest's zone (TIANJIAO_TIMEZONE)."""
    return value.astimezone(ZoneInfo(site_settings().timezone)).strftime("%Y-%m-%d %H:%M")


def mail_configured(settings: Settings) -> bool:
    """Whether mails are sent (an SMTP server is set) or only kept and logged."""
    return bool(settings.smtp_url.strip())


def enqueue(
    db: Session,
    *,
    to: str,
    kind: str,
    context: dict[str, Any],
    language: str = "zh",
    contest_id: int | None = None,
) -> OutboxMail:
    """Queue one mail of `kind` to `to`, rendered now in `language` from `context`
    (plus the contest's name as `contest`). It is delivered by a job once `db` commits;
    rolled back with the transaction, it is never sent."""
    values = dict(context)
    if contest_id is not None and "contest" not in values:
        contest = db.get(Contest, contest_id)
        values["contest"] = contest.name if contest else ""
    values.setdefault("contest", "")
    rendered = render.render(kind, values, language)
    mail = OutboxMail(
        to=to.strip(),
        kind=kind,
        language=render.language_of(language),
        contest_id=contest_id,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        secret=kinds.get(kind).secret,
        message_id=uuid.uuid4().hex,
        job_id=_delivery_job(db),
    )
    db.add(mail)
    db.flush()
    return mail


def _delivery_job(db: Session) -> int:
    """The delivery job of this transaction's mails, started with its first mail."""
    current = db.info.get(_JOB_KEY)
    if current is not None:
        job_id, count = current
        # Rolled back to a savepoint, the job is gone: start another.
        if count < MAILS_PER_JOB and db.get(Job, job_id) is not None:
            db.info[_JOB_KEY] = (job_id, count + 1)
            return int(job_id)
    job = jobs.submit(db, kind=DELIVER_JOB)
    db.info[_JOB_KEY] = (job.id, 1)
    return job.id


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_batch(db: Session) -> None:
    """Mails of the session's next transaction get a job of their own: this one is
    committed (and may be running already) or gone."""
    db.info.pop(_JOB_KEY, None)


@dataclass(frozen=True)
class OutboxPage:
    mails: list[OutboxMail]
    total: int
    counts: dict[str, int]


def contest_outbox(db: Session, contest_id: int, *, offset: int = 0, limit: int = 50) -> OutboxPage:
    """A contest's mails, newest first, with how many are in each state."""
    where = col(OutboxMail.contest_id) == contest_id
    mails = db.scalars(
        select(OutboxMail).where(where).order_by(col(OutboxMail.id).desc()).offset(offset).limit(limit)
    ).all()
    counts = dict(
        db.execute(
            select(OutboxMail.state, func.count()).where(where).group_by(col(OutboxMail.state))
        ).all()
    )
    return OutboxPage(mails=list(mails), total=sum(counts.values()), counts=counts)


def mails_to(db: Session, address: str) -> list[OutboxMail]:
    """Every mail queued to one address, oldest first (tests, support)."""
    return list(
        db.scalars(
            select(OutboxMail).where(col(OutboxMail.to) == address).order_by(col(OutboxMail.id))
        ).all()
    )
