"""The helper process that checks and cleans uploaded PDFs away from the web worker."""

import asyncio
import contextvars
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from bench.procs import alive
from contest.core import file_work
from contest.core.errors import InvalidInput
from contest.core.i18n import _, use_locale

ROOT = Path(__file__).resolve().parents[2]


def run_apart(coroutine):  # type: ignore[no-untyped-def]
    """asyncio.run in a thread of its own: a browser test earlier in this process leaves
    Playwright's event loop running in the main thread. The caller's context (its
    language) goes along."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(contextvars.copy_context().run, asyncio.run, coroutine).result()


# Read when the module is imported: in the helper, that is while it starts.
NICENESS_AT_IMPORT = os.nice(0)


def niceness_at_import() -> int:
    return NICENESS_AT_IMPORT


def where_and_how_nice() -> tuple[int, int]:
    return os.getpid(), os.nice(0)


def refuse_in_the_callers_language(field: str) -> None:
    raise InvalidInput.single(field, _("Choose a PDF file to upload."))


def die() -> None:
    os._exit(1)


def test_the_work_runs_in_another_process_at_a_lower_priority() -> None:
    pid, niceness = run_apart(file_work.run(where_and_how_nice))

    assert pid != os.getpid()
    assert niceness >= os.nice(0) + file_work.NICENESS or niceness == 19


@pytest.mark.parametrize(
    ("lang", "message"),
    [("zh", "请选择要上传的 PDF 文件。"), ("en", "Choose a PDF file to upload.")],
)
def test_a_refusal_comes_back_whole_in_the_callers_language(lang: str, message: str) -> None:
    with use_locale(lang), pytest.raises(InvalidInput) as refused:
        run_apart(file_work.run(refuse_in_the_callers_language, field="file"))

    assert refused.value.by_field() == {"file": message}


def test_a_helper_that_dies_is_replaced() -> None:
    with pytest.raises(BrokenProcessPool):  # tried twice, on two helpers
        run_apart(file_work.run(die))

    pid, _niceness = run_apart(file_work.run(where_and_how_nice))
    assert pid != os.getpid()


def test_the_helper_loads_the_work_before_it_lowers_its_priority() -> None:
    """On a busy machine, imports at nice 10 kept the first upload after a start waiting
    for over 10 s."""
    if file_work._pool is not None:  # started by an earlier test, for other work
        file_work._discard(file_work._pool)

    niceness_while_loading = run_apart(file_work.run(niceness_at_import))
    _pid, niceness_at_work = run_apart(file_work.run(where_and_how_nice))

    assert niceness_while_loading == os.nice(0)
    assert niceness_at_work > niceness_while_loading or niceness_at_work == 19


def test_the_helper_outlives_the_thread_that_started_it() -> None:
    """Each call here comes from a thread of its own that then ends (as each test
    client's event loop does): the helper stays, rather than dying with the first thread
    and costing a new start (a second or more) on the next upload."""
    first, _niceness = run_apart(file_work.run(where_and_how_nice))
    second, _niceness = run_apart(file_work.run(where_and_how_nice))

    assert first == second


HELPER_OF_A_WORKER = """
import asyncio, os, time
from contest.core import file_work
print(asyncio.run(file_work.run(os.getpid)), flush=True)
time.sleep(600)
"""


def test_the_helper_stops_when_its_worker_process_dies() -> None:
    worker = subprocess.Popen(
        [sys.executable, "-c", HELPER_OF_A_WORKER], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert worker.stdout is not None
        helper = int(worker.stdout.readline())
        worker.kill()
        worker.wait()
        for _ in range(300):  # the helper checks its parent every second
            if not alive(helper):
                break
            time.sleep(0.1)
        assert not alive(helper)
    finally:
        worker.kill()
