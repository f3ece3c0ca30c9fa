"""Judge reminders by mail: on the organiser's demand, and once per round a set time
before it closes (TIANJIAO_REMINDER_HOURS_BEFORE_CLOSE, checked every minute by the
workers). Only judges with unsubmitted sheets are written to.
"""

from datetime import timedelta

from sqlmodel import Session, col, select

from contest.core import audit
from contest.core.db import Database
from contest.core.errors import StateConflict
from contest.core.settings import Settings
from contest.jobs.registry import every_minute
from contest.judging import progress
from contest.models import AuditRecord, Judge, Round, User, utcnow
from contest.notices import service as notices
from contest.notices.events import local_time
from contest.setup import rounds

SCHEDULED = "round.reminders_scheduled"
SENT = "round.reminders_sent"


def send_reminders(db: Session, *, actor: User | None, round_: Round, settings: Settings) -> int:
    """Queue one reminder to each judge with unsubmitted sheets in the round; how many."""
    if rounds.is_closed(round_):
        raise StateConflict("the round is closed: its sheets can no longer be submitted")
    late = [line for line in progress.judge_lines(db, round_) if line.missing > 0]
    locales = _locales(db, [line.judge_id for line in late])
    closes = local_time(round_.closes_at, settings.timezone) if round_.closes_at else ""
    for line in late:
        notices.enqueue(
            db,
            to=line.email,
            kind="judge_reminder",
            language=locales.get(line.judge_id) or "zh",
            contest_id=round_.contest_id,
            context={"name": line.name, "round": round_.name, "open": line.missing,
                     "closes_at": closes, "link": f"{settings.base_url}/judge"},
        )
    audit.record(db, actor=actor, action=SCHEDULED if actor is None else SENT, obj=round_,
                 after={"judges": len(late)})
    return len(late)


def _locales(db: Session, judge_ids: list[int]) -> dict[int, str]:
    rows = db.execute(
        select(Judge.id, User.locale)
        .join(User, col(User.id) == Judge.user_id)
        .where(col(Judge.id).in_(judge_ids))
    ).all()
    return {judge_id: locale for judge_id, locale in rows}


def due_rounds(db: Session, hours: int) -> list[Round]:
    """Open rounds closing within `hours` whose scheduled reminder is not sent yet."""
    now = utcnow()
    reminded = select(AuditRecord.object_id).where(
        col(AuditRecord.action) == SCHEDULED, col(AuditRecord.object_type) == "rounds"
    )
    candidates = db.scalars(
        select(Round).where(
            col(Round.opens_at) <= now,
            col(Round.closes_at) > now,
            col(Round.closes_at) <= now + timedelta(hours=hours),
            col(Round.id).not_in(reminded),
        )
    ).all()
    return list(candidates)


@every_minute
def remind_before_close(database: Database, settings: Settings) -> None:
    if settings.reminder_hours_before_close <= 0:
        return
    with database.session() as db:
        for round_ in due_rounds(db, settings.reminder_hours_before_close):
            send_reminders(db, actor=None, round_=round_, settings=settings)
