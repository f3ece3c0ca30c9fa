"""The delivery job: send one batch of the outbox, each mail at most once per claim.

A mail is claimed (`pending` -> `sending`) in its own short transaction before it is
sent and marked `sent` right after, in the same transaction as the next claim. A worker
killed between the server's acceptance and that mark leaves one mail in `sending`: the
job is run again (runner.sweep) and sends it again, with the same Message-ID. That one
mail is the only one that can arrive twice; none is lost.
"""

import logging
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from contest.core.db import changed_rows
from contest.core.i18n import N_
from contest.jobs.context import JobContext
from contest.jobs.registry import job
from contest.models import OutboxMail, utcnow
from contest.notices import smtp
from contest.notices.service import DELIVER_JOB, mail_configured

log = logging.getLogger("tianjiao.mail")
MAX_ATTEMPTS = 8


@job(DELIVER_JOB, title=N_("Sending mails"), max_attempts=MAX_ATTEMPTS, retry_delay_s=30.0)
def deliver(context: JobContext) -> None:
    ids = _pending_ids(context)
    if not mail_configured(context.settings):
        _hold(context, ids)
        return
    try:
        with _connection(context) as connection:
            _send_all(context, connection, ids)
    except Exception as exc:
        if context.attempt >= MAX_ATTEMPTS:
            _give_up(context, f"{type(exc).__name__}: {exc}")
        raise


def _pending_ids(context: JobContext) -> list[int]:
    """The job's mails still to send; any `sending` was left by a worker that died."""
    with context.database.session() as db:
        db.execute(
            update(OutboxMail)
            .where(col(OutboxMail.job_id) == context.job_id, col(OutboxMail.state) == "sending")
            .values(state="pending")
        )
        return list(
            db.scalars(
                select(OutboxMail.id)
                .where(col(OutboxMail.job_id) == context.job_id, col(OutboxMail.state) == "pending")
                .order_by(col(OutboxMail.id))
            )
        )


def _hold(context: JobContext, ids: list[int]) -> None:
    """No SMTP server: print each mail to the log and keep it in the outbox."""
    with context.database.session() as db:
        for mail in db.scalars(select(OutboxMail).where(col(OutboxMail.id).in_(ids))):
            log.info("mail not sent (TIANJIAO_SMTP_URL is not set) to %s: %s\n%s",
                     mail.to, mail.subject, mail.text)
            mail.state = "held"


@contextmanager
def _connection(context: JobContext) -> Iterator[smtplib.SMTP]:
    connection = smtp.connect(context.settings)
    try:
        yield connection
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()


def _send_all(context: JobContext, connection: smtplib.SMTP, ids: list[int]) -> None:
    sent: int | None = None  # sent, its mark written with the next claim
    try:
        for number, mail_id in enumerate(ids, start=1):
            with context.database.session() as db:
                if sent is not None:
                    _mark(db, sent, "sent")
                    sent = None
                mail = _claim(db, mail_id)
            if mail is None:
                continue
            error = _send_one(context, connection, mail)
            if error is None:
                sent = mail.id
            else:
                with context.database.session() as db:
                    _mark(db, mail.id, "failed", error)
            context.progress(number / len(ids))
    finally:
        if sent is not None:
            with context.database.session() as db:
                _mark(db, sent, "sent")


def _claim(db: Session, mail_id: int) -> OutboxMail | None:
    taken = changed_rows(
        db,
        update(OutboxMail)
        .where(col(OutboxMail.id) == mail_id, col(OutboxMail.state) == "pending")
        .values(state="sending", claimed_at=utcnow(), attempts=col(OutboxMail.attempts) + 1),
    )
    return db.get(OutboxMail, mail_id) if taken else None


def _mark(db: Session, mail_id: int, state: str, error: str = "") -> None:
    values: dict[str, Any] = {"state": state, "error": error[:500]}
    if state == "sent":
        values["sent_at"] = utcnow()
    db.execute(update(OutboxMail).where(col(OutboxMail.id) == mail_id).values(**values))


def _send_one(context: JobContext, connection: smtplib.SMTP, mail: OutboxMail) -> str | None:
    """Send; None when accepted, the reason when the server refuses it for good (5xx).
    A temporary failure (4xx, a lost connection) raises: the job is tried again later."""
    message = smtp.message_of(mail, context.settings)
    try:
        connection.sendmail(
            smtp.envelope_sender(context.settings), [mail.to], smtp.wire_bytes(message)
        )
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        if all(code >= 500 for code in codes):
            return f"refused: {exc.recipients}"
        raise
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code >= 500:
            return f"{exc.smtp_code} {exc.smtp_error!r}"
        raise
    return None


def _give_up(context: JobContext, reason: str) -> None:
    """The last try failed: the batch's unsent mails are marked failed, with why."""
    with context.database.session() as db:
        db.execute(
            update(OutboxMail)
            .where(col(OutboxMail.job_id) == context.job_id,
                   col(OutboxMail.state).in_(["pending", "sending"]))
            .values(state="failed", error=reason[:500])
        )
