"""Worker processes that do not outlive their supervisor.

`serve --workers N` runs uvicorn's supervisor (master) and N worker processes that share
its listening socket. Killed with SIGKILL, the master cannot stop them: the orphans kept
serving and holding the port, and the restart failed with "Address already in use". So
each worker asks the kernel for SIGTERM when its parent dies (Linux prctl
PR_SET_PDEATHSIG), and a watchdog thread checks its parent every second (other systems,
and a master that died before the request was made). SIGTERM is uvicorn's graceful
stop: requests in flight finish (within serve's graceful-shutdown bound), then it exits.
"""

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
import time

SUPERVISOR_ENV = "TIANJIAO_SUPERVISOR_PID"
PR_SET_PDEATHSIG = 1
WATCH_EVERY_S = 1.0

log = logging.getLogger("tianjiao")


def mark_supervisor() -> None:
    """Called by `serve` before uvicorn starts its workers: they inherit the variable."""
    os.environ[SUPERVISOR_ENV] = str(os.getpid())


def exit_with_supervisor() -> None:
    """In a worker process started by `serve`: stop when the supervisor dies."""
    supervisor = _supervisor_pid()
    if supervisor is None or supervisor == os.getpid():
        return  # a single process (no supervisor), or the supervisor itself
    die_with_parent()
    threading.Thread(target=_watch, args=(supervisor,), daemon=True, name="supervisor").start()


def die_with_parent() -> None:
    """SIGTERM when the thread that started this process ends: for uvicorn's workers,
    started by the supervisor's main thread, that is when the supervisor dies."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def stop_with_parent_process(parent: int | None = None) -> None:
    """In a helper process (contest/core/file_work.py, the jobs' worker that `serve`
    starts): exit when the process that started it (`parent`, by default this process's
    parent) dies. Not PR_SET_PDEATHSIG: the kernel sends that when the *thread* that
    started the helper ends, and a helper started from a short-lived thread (an
    executor's, a test client's event loop) was killed with it and started again,
    costing a second each time."""
    watched = os.getppid() if parent is None else parent
    threading.Thread(target=_watch_parent, args=(watched,), daemon=True, name="parent").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY_S)
    os._exit(0)  # nothing to save: what was running is the caller's, and the caller is gone


def _supervisor_pid() -> int | None:
    value = os.environ.get(SUPERVISOR_ENV, "")
    return int(value) if value.isdigit() else None


def _watch(supervisor: int) -> None:
    while os.getppid() == supervisor:
        time.sleep(WATCH_EVERY_S)
    log.error("the supervisor (pid %s) is gone: this worker stops", supervisor)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(30)  # the graceful stop is bounded; past it, stop for good
    os._exit(1)
