"""Judge reminders by mail: the organiser's button, and once before a round closes."""

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlmodel import select

from contest.judging import reminders
from contest.models import AuditRecord, OutboxMail, utcnow
from tests import factories
from tests.factories import bearer, csrf_token, login
from tests.mail_setup import text_part


def _late_judges(db, world):
    """Judge 1: two entries, one submitted; judge 2: one draft; judge 3: all done."""
    first, second = (
        factories.entry(db, world.contest, world.creative, rounds=(world.preliminary,))
        for _ in range(2)
    )
    j1, j2, j3 = world.judges
    for judge_item, entry_item in ((j1, first), (j1, second), (j2, first), (j3, second)):
        factories.assign(db, world.preliminary, judge_item, entry_item)
    factories.sheet(db, world.preliminary, j1, first, [200, 200, 200, 100])
    factories.sheet(db, world.preliminary, j2, first, [100], submitted=False)
    factories.sheet(db, world.preliminary, j3, second, [200, 200, 200, 100])
    world.judge_users[1].locale = "en"
    world.preliminary.closes_at = utcnow() + timedelta(hours=30)
    db.commit()


def test_the_button_mails_each_late_judge_once(mail_app, client, db, world, smtp_server, run_jobs):
    _late_judges(db, world)
    answer = client.post(f"/api/v1/rounds/{world.preliminary.id}/reminders",
                         headers=bearer(client, world.organiser))
    assert answer.status_code == 200
    assert answer.json() == {"queued": 2}
    run_jobs()
    got = {m["To"]: m for m in smtp_server.inbox.wait_for(2)}
    assert sorted(got) == ["judge1@example.com", "judge2@example.com"]
    chinese = text_part(got["judge1@example.com"])
    assert "还有1份评分表尚未提交" in chinese
    assert "http://testserver/judge" in chinese
    english = got["judge2@example.com"]
    assert english["Subject"].endswith("Reminder: 1 score sheets to finish in preliminary")
    assert "The round closes on" in text_part(english)
    record = db.scalars(select(AuditRecord).where(AuditRecord.action == reminders.SENT)).one()
    assert (record.actor_id, record.after) == (world.organiser.id, {"judges": 2})


def test_a_closed_round_refuses_reminders(client, db, world):
    world.preliminary.closes_at = utcnow() - timedelta(minutes=1)
    db.commit()
    answer = client.post(f"/api/v1/rounds/{world.preliminary.id}/reminders",
                         headers=bearer(client, world.organiser))
    assert answer.status_code == 409
    assert db.scalars(select(OutboxMail)).all() == []


def test_the_progress_page_button(client, db, world):
    _late_judges(db, world)
    login(client, world.organiser)
    page = BeautifulSoup(client.get(f"/manage/rounds/{world.preliminary.id}/progress").text,
                         "html.parser")
    form = page.select_one(f"form[action='/manage/rounds/{world.preliminary.id}/reminders']")
    assert form is not None
    sent = client.post(form["action"], data={"csrf_token": csrf_token(client)},
                       follow_redirects=False)
    assert sent.status_code == 303
    assert sorted(db.scalars(select(OutboxMail.to)).all()) == [
        "judge1@example.com", "judge2@example.com"]


def test_scheduled_reminder_goes_once_before_the_round_closes(database, settings, db, world):
    _late_judges(db, world)
    settings.reminder_hours_before_close = 24
    reminders.remind_before_close(database, settings)  # closes in 30 h: not yet
    assert db.scalars(select(OutboxMail)).all() == []
    world.preliminary.closes_at = utcnow() + timedelta(hours=23)
    db.commit()
    reminders.remind_before_close(database, settings)
    reminders.remind_before_close(database, settings)  # the next minute: not again
    assert sorted(db.scalars(select(OutboxMail.to)).all()) == [
        "judge1@example.com", "judge2@example.com"]
    settings.reminder_hours_before_close = 0
    assert reminders.due_rounds(db, 0) == []
