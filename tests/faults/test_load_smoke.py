"""A short run of the load benchmark (bench/load.py) against `serve --workers 2`.

Not a timing test: it proves that under concurrent saves from two worker processes
every request is answered without error and every acknowledged save is in the database
(the figures themselves come from `make bench`).
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.load import drive, lost_saves, seed, tianjiao_server
from contest.core import schema


def run_loop(coroutine):  # type: ignore[no-untyped-def]
    """asyncio.run in a thread of its own: a browser test earlier in this test process
    leaves Playwright's event loop running in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.mark.slow
def test_concurrent_saves_across_two_workers_are_all_answered_and_kept(empty_database, tmp_path):
    schema.upgrade(empty_database)
    seeded = seed(empty_database, judges=30, entries_per_judge=4)
    with tianjiao_server(empty_database, tmp_path) as base:
        # Drafts with no pause, then a judging day in miniature (drafts and submissions).
        burst = run_loop(drive(base, seeded, seconds=3, pause=0.0, submit_share=0.0, seed=2))
        day = run_loop(drive(base, seeded, seconds=3, pause=0.3, submit_share=0.2))
    for run in (burst, day):
        assert run.errors == {}
        assert run.latencies, "no save was answered"
    acknowledged = burst.acked
    for key, acks in day.acked.items():
        acknowledged.setdefault(key, []).extend(acks)
    day.acked = acknowledged
    assert lost_saves(empty_database, seeded, day) == []
    submitted = sum(1 for acks in acknowledged.values() if any(s for _r, _v, s in acks))
    assert submitted > 0, "the day run should have submitted some sheets"
