"""The helper process that checks and cleans uploaded PDFs away from the web worker."""

import asyncio
import contextvars
import os
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

from contest.core import file_work
from contest.core.errors import InvalidInput
from contest.core.i18n import _, use_locale


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
