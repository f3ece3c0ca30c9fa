"""At scale the queue is Redis (TIANJIAO_JOBS_URL=redis://...): jobs go through it."""

import os
import uuid

import pytest
import redis
from sqlmodel import select

from contest.jobs import engine
from contest.models import OutboxMail
from contest.notices import service as notices

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_queue(app, settings, database):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis server at TEST_REDIS_URL")
    settings.jobs_url = REDIS_URL
    settings.jobs_queue = f"tianjiao-test-{uuid.uuid4().hex[:8]}"  # no other test's queue
    runtime = engine.configure(settings, database)
    yield runtime
    runtime.huey.storage.flush_all()


def test_mail_goes_through_a_redis_queue(redis_queue, mail_app, db, world, smtp_server):
    notices.enqueue(db, to="team@example.com", kind="test", context={}, contest_id=world.contest.id)
    db.commit()
    assert redis_queue.huey.pending_count() == 1
    assert engine.drain() == 1
    assert [m["To"] for m in smtp_server.inbox.wait_for(1)] == ["team@example.com"]
    assert db.scalars(select(OutboxMail.state)).one() == "sent"
