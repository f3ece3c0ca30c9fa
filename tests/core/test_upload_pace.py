"""Upload bodies read at a pace per worker, so a burst of uploads on a fast link leaves
the event loop to the judges' saves (core.web.uploads.ReadPace)."""

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor

from contest.core.settings import Settings
from contest.core.web.uploads import ReadPace

MB = 1024 * 1024


def run_apart(coroutine):  # type: ignore[no-untyped-def]
    """asyncio.run in a thread of its own: a browser test earlier in this process leaves
    Playwright's event loop running in the main thread. The caller's context (its
    language) goes along."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(contextvars.copy_context().run, asyncio.run, coroutine).result()


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds


def test_uploads_together_wait_once_they_run_ahead_of_the_pace() -> None:
    time = FakeTime()
    pace = ReadPace(20 * MB, clock=time.clock, sleep=time.sleep)

    async def two_uploads() -> None:
        await pace.take(MB // 2)  # 25 ms of the pace: within the burst, no wait
        await pace.take(MB // 2)  # another upload of the same worker: 50 ms in all
        await pace.take(2 * MB)  # 150 ms ahead of the clock

    run_apart(two_uploads())

    assert time.slept == [0.1]  # 150 ms ahead, less the 50 ms burst
    assert round(time.now, 6) == 100.1


def test_a_pace_of_zero_never_waits() -> None:
    time = FakeTime()
    pace = ReadPace(0, clock=time.clock, sleep=time.sleep)

    run_apart(pace.take(100 * MB))

    assert time.slept == []


def test_the_default_pace_is_far_above_a_halls_network() -> None:
    # 20 MB/s per worker is 160 Mbit/s: more than a contest site's uplink.
    assert Settings(secret_key="x").upload_read_bytes_per_s == 20 * MB
