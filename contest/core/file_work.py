"""CPU-heavy file work (checking, cleaning and reading a 20 MB PDF) in a helper process
at a lower priority, not in the web worker.

In the worker, pypdf's pure-Python parsing held the interpreter lock for up to a second
per upload. With 40 business plans arriving at once, the judges' saves in the same worker
waited behind it: p99 884 ms on PostgreSQL, and 5.6 s with 503s on SQLite
(bench/uploads.py). Each web worker now hands that work to one helper process of its
own. The helper starts on first use, runs at a lower priority (nice 10) and stops with
its worker. The worker's interpreter lock and the CPU stay with the saves; the uploads
queue in the helper, one at a time per worker.

The caller's language goes with each call, so the helper's messages ("该文件不是 PDF")
read as the caller's would. A helper that dies (out of memory on a hostile file) is
replaced, and the call is tried once more.
"""

import asyncio
import contextlib
import importlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from contest.core.i18n import current_locale, use_locale
from contest.core.process import stop_with_parent_process

NICENESS = 10

T = TypeVar("T")

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _start_helper(module: str) -> None:
    stop_with_parent_process()
    # Imported before the priority drops: at nice 10 on a busy machine the imports alone
    # took over 10 s, and the first upload after a start waited for them.
    importlib.import_module(module)
    with contextlib.suppress(OSError):
        os.nice(NICENESS)


def _call(locale: str, function: Callable[..., T], kwargs: dict[str, Any]) -> T:
    with use_locale(locale):
        return function(**kwargs)


def _executor(module: str) -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn, not fork: a forked copy of a worker with running threads can inherit
            # a lock held by one of them, and the listening socket.
            context = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(
                1, mp_context=context, initializer=_start_helper, initargs=(module,)
            )
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _pool_lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


async def run(function: Callable[..., T], **kwargs: Any) -> T:
    """``function(**kwargs)`` in this worker's helper process; it and its arguments,
    result and exceptions must pickle (module-level functions, dataclasses)."""
    loop = asyncio.get_running_loop()
    locale = current_locale()
    for attempt in (1, 2):
        pool = _executor(function.__module__)
        try:
            return await loop.run_in_executor(pool, _call, locale, function, kwargs)
        except BrokenProcessPool:
            _discard(pool)
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
