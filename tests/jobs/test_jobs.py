"""Jobs: state through the API and the page, retries with backoff, lost workers."""

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import update

from contest.jobs import runner
from contest.jobs import service as jobs
from contest.jobs.context import JobContext
from contest.jobs.registry import JobFailed, job
from contest.models import Job, utcnow
from tests.factories import bearer, login

CALLS: list[int] = []


@job("test.report", title="Test report", max_attempts=3, retry_delay_s=5)
def _report(context: JobContext) -> None:
    CALLS.append(context.job_id)
    if context.params.get("fail_times", 0) >= context.attempt:
        raise OSError("disk not ready")
    if context.params.get("bad"):
        raise JobFailed("the file is not a workbook")
    context.progress(0.5, force=True)
    path = context.result_file("report.txt")
    path.write_text("报告", encoding="utf-8")
    context.set_result(path, "报告.txt")


def _start(db, user, **params):
    started = jobs.submit(db, kind="test.report", params=params, user_id=user.id)
    db.commit()
    return started


def test_a_job_runs_and_offers_its_result(client, db, world, run_jobs):
    started = _start(db, world.organiser)
    headers = bearer(client, world.organiser)
    queued = client.get(f"/api/v1/jobs/{started.id}", headers=headers).json()
    assert queued == {"id": started.id, "kind": "test.report", "state": "queued",
                      "progress": 0.0, "result_url": None, "error": None}
    assert run_jobs() == 1
    done = client.get(f"/api/v1/jobs/{started.id}", headers=headers).json()
    assert done == {"id": started.id, "kind": "test.report", "state": "done",
                    "progress": 1.0, "result_url": f"/jobs/{started.id}/result", "error": None}
    login(client, world.organiser)
    download = client.get(done["result_url"])
    assert download.status_code == 200
    assert download.content.decode() == "报告"
    assert "filename*=utf-8''%E6%8A%A5%E5%91%8A.txt" in download.headers["content-disposition"]


def test_only_the_starter_sees_a_job(client, db, world):
    started = _start(db, world.organiser)
    for stranger in (world.other_organiser, world.team, world.judge_users[0]):
        answer = client.get(f"/api/v1/jobs/{started.id}", headers=bearer(client, stranger))
        assert answer.status_code == 404
    assert client.get(f"/api/v1/jobs/{started.id}").status_code == 401
    unknown = client.get("/api/v1/jobs/999999", headers=bearer(client, world.organiser))
    assert unknown.status_code == 404


def test_the_job_page_shows_a_progress_bar(client, db, world):
    started = _start(db, world.organiser)
    login(client, world.organiser)
    page = BeautifulSoup(client.get(f"/jobs/{started.id}?back=/manage").text, "html.parser")
    bar = page.select_one("progress[data-job-progress]")
    assert bar is not None
    assert bar["value"] == "0.0"
    card = page.select_one("[data-job-url]")
    assert card["data-job-url"] == f"/api/v1/jobs/{started.id}"
    assert card["data-state"] == "queued"
    assert page.select_one("[data-job-result]").has_attr("hidden")
    assert page.select_one("a[href='/manage']") is not None


def test_a_failing_job_is_retried_with_growing_delays(db, world, run_jobs):
    started = _start(db, world.organiser, fail_times=2)
    run_jobs()
    db.expire_all()
    first = db.get(Job, started.id)
    assert (first.state, first.attempts) == ("queued", 1)
    assert "OSError: disk not ready" in first.error
    assert timedelta(seconds=4) < first.run_after - first.started_at < timedelta(seconds=6)
    assert runner.backoff(5, 1) == 5
    assert runner.backoff(5, 2) == 10
    assert runner.backoff(5, 30) == 3600


def test_a_job_that_keeps_failing_fails_with_its_error(database, settings, db, world):
    started = _start(db, world.organiser, fail_times=9)
    retried: list[int] = []
    for _attempt in range(3):
        db.execute(update(Job).where(Job.id == started.id).values(run_after=None))  # no wait
        db.commit()
        runner.run(database, settings, started.id, retry=lambda job_id, _s: retried.append(job_id))
    db.expire_all()
    final = db.get(Job, started.id)
    assert (final.state, final.attempts) == ("failed", 3)
    assert final.error == "OSError: disk not ready"
    assert retried == [started.id] * 2


def test_a_job_failing_for_good_is_not_retried(client, db, world, run_jobs):
    started = _start(db, world.organiser, bad=True)
    run_jobs()
    body = client.get(f"/api/v1/jobs/{started.id}", headers=bearer(client, world.organiser)).json()
    assert (body["state"], body["error"]) == ("failed", "the file is not a workbook")


def test_a_claimed_job_is_not_run_twice(database, settings, db, world):
    started = _start(db, world.organiser)
    assert runner.run(database, settings, started.id, retry=print) == "done"
    assert runner.run(database, settings, started.id, retry=print) == "skipped"


def test_the_sweep_runs_again_a_job_whose_worker_died(database, settings, db, world):
    started = _start(db, world.organiser)
    row = db.get(Job, started.id)
    row.state, row.attempts = "running", 1
    row.heartbeat_at = utcnow() - timedelta(seconds=settings.job_lease_seconds + 5)
    fresh = _start(db, world.organiser)
    fresh_row = db.get(Job, fresh.id)
    fresh_row.state, fresh_row.heartbeat_at = "running", utcnow()
    db.commit()
    assert runner.sweep(database, settings) == [started.id]
    db.expire_all()
    assert db.get(Job, started.id).state == "queued"
    assert db.get(Job, fresh.id).state == "running"
    assert runner.run(database, settings, started.id, retry=print) == "done"
    db.expire_all()
    assert db.get(Job, started.id).attempts == 2
