"""The outbox: mails rendered in the recipient's language, delivered once by a job."""

import logging

import pytest
from sqlmodel import select

from contest.jobs import engine
from contest.models import Job, OutboxMail
from contest.notices import service as notices
from contest.notices import smtp
from tests.mail_setup import html_part, start_smtp, text_part


def _submitted(db, contest_id, to="team@example.com", language="zh"):
    return notices.enqueue(
        db,
        to=to,
        kind="entry_submitted",
        language=language,
        contest_id=contest_id,
        context={"name": "张三", "entry": "智能康复机器人", "submitted_at": "2026-10-01 10:00",
                 "link": "http://testserver/team"},
    )


def test_enqueue_renders_in_chinese_with_the_contest_name(db, world):
    mail = _submitted(db, world.contest.id)
    assert mail.subject == f"[{world.contest.name}] 您的参赛项目“智能康复机器人”已提交"
    assert "张三" in mail.text
    assert "http://testserver/team" in mail.text
    assert "智能康复机器人" in mail.html
    assert 'href="http://testserver/team"' in mail.html
    assert mail.state == "pending"
    assert mail.language == "zh"
    assert not mail.secret


def test_enqueue_renders_in_english_and_escapes_html(db, world):
    mail = notices.enqueue(
        db, to="a@example.com", kind="entry_submitted", language="en",
        contest_id=world.contest.id,
        context={"name": "<b>Ann</b>", "entry": "Rehab & robots", "submitted_at": "x", "link": ""},
    )
    assert mail.subject.endswith("Your entry “Rehab & robots” was submitted")
    assert "Dear <b>Ann</b>," in mail.text
    assert "&lt;b&gt;Ann&lt;/b&gt;" in mail.html
    assert "<b>Ann</b>" not in mail.html
    assert "Open my entry" not in mail.text  # no link given, no button


def test_unknown_language_falls_back_to_chinese(db, world):
    assert _submitted(db, world.contest.id, language="fr").language == "zh"


def test_missing_context_value_is_refused(db, world):
    with pytest.raises(KeyError):
        notices.enqueue(db, to="a@example.com", kind="entry_submitted", context={"name": "x"})


def test_mails_of_one_transaction_share_one_delivery_job(db, world):
    first = _submitted(db, world.contest.id)
    second = _submitted(db, world.contest.id, to="b@example.com")
    db.commit()
    third = _submitted(db, world.contest.id, to="c@example.com")
    db.commit()
    assert first.job_id == second.job_id != third.job_id
    kinds = db.scalars(select(Job.kind)).all()
    assert kinds == ["notices.deliver", "notices.deliver"]


def test_a_rolled_back_mail_is_never_sent(app, db, world, run_jobs):
    _submitted(db, world.contest.id)
    db.rollback()
    run_jobs()
    assert db.scalars(select(OutboxMail)).all() == []
    assert db.scalars(select(Job)).all() == []


def test_delivered_once_as_text_and_html(mail_app, db, world, smtp_server, run_jobs):
    for n in range(3):
        _submitted(db, world.contest.id, to=f"team{n}@example.com")
    db.commit()
    assert run_jobs() == 1
    got = smtp_server.inbox.wait_for(3)
    assert sorted(m["To"] for m in got) == [f"team{n}@example.com" for n in range(3)]
    message = got[0]
    assert message["From"] == "天骄大赛组委会 <contest@example.org>"
    assert message["Subject"].startswith(f"[{world.contest.name}]")
    assert "张三" in text_part(message)
    assert "<a href=" in html_part(message)
    states = db.scalars(select(OutboxMail.state)).all()
    assert states == ["sent"] * 3
    job = db.scalars(select(Job)).one()
    assert (job.state, job.progress, job.attempts) == ("done", 1.0, 1)
    assert run_jobs() == 0
    assert len(smtp_server.inbox.messages) == 3


def test_message_id_is_stable_for_a_mail(db, world, settings):
    mail = _submitted(db, world.contest.id)
    first = smtp.message_of(mail, settings)["Message-ID"]
    assert first == smtp.message_of(mail, settings)["Message-ID"]
    assert first == f"<{mail.message_id}@testserver>"


def test_without_smtp_mails_are_held_and_logged(app, db, world, run_jobs, caplog):
    _submitted(db, world.contest.id)
    db.commit()
    with caplog.at_level(logging.INFO, logger="tianjiao.mail"):
        run_jobs()
    assert db.scalars(select(OutboxMail.state)).all() == ["held"]
    assert "team@example.com" in caplog.text
    assert "智能康复机器人" in caplog.text


def test_a_refused_recipient_fails_alone(mail_app, db, world, smtp_server, run_jobs):
    smtp_server.inbox.refuse.add("nobody@example.com")
    _submitted(db, world.contest.id, to="nobody@example.com")
    _submitted(db, world.contest.id, to="team@example.com")
    db.commit()
    run_jobs()
    states = dict(db.execute(select(OutboxMail.to, OutboxMail.state)).all())
    assert states == {"nobody@example.com": "failed", "team@example.com": "sent"}
    failed = db.scalars(select(OutboxMail).where(OutboxMail.state == "failed")).one()
    assert "550" in failed.error
    assert db.scalars(select(Job.state)).one() == "done"


def test_server_down_retries_with_backoff_and_loses_nothing(mail_app, db, world, smtp_server, run_jobs):  # noqa: E501
    url = smtp_server.url
    smtp_server.stop()
    _submitted(db, world.contest.id)
    db.commit()
    run_jobs()
    job = db.scalars(select(Job)).one()
    assert job.state == "queued"
    assert job.attempts == 1
    assert "Error" in (job.error or "")
    assert job.run_after is not None
    assert job.run_after > job.started_at
    assert db.scalars(select(OutboxMail.state)).one() == "pending"
    # The server is back and the backoff is over: the retry delivers it.
    restarted = start_smtp(port=int(url.rsplit(":", 1)[1]))
    try:
        job.run_after = job.started_at
        db.commit()
        engine.runtime().run_task(job.id)  # the message huey holds until then
        run_jobs()
        assert len(restarted.inbox.wait_for(1)) == 1
        db.expire_all()
        assert db.scalars(select(OutboxMail.state)).one() == "sent"
        assert db.get(Job, job.id).state == "done"
    finally:
        restarted.stop()

