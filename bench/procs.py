"""The processes of `serve --workers N` as /proc shows them: memory and open files.

`serve` starts uvicorn's supervisor (the process the benchmark launched), which starts
the app's workers (multiprocessing's `spawn_main`), and the background jobs' worker
(`main.py worker`). Read on Linux only; elsewhere nothing is found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass(frozen=True)
class ProcessStats:
    pid: int
    role: str  # "supervisor", "app worker", "jobs worker"
    rss_mb: float  # resident now (VmRSS)
    peak_mb: float  # highest resident so far (VmHWM)
    open_files: int  # file descriptors: sockets, database files, uploads


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting for a parent that does not reap it."""
    try:
        state = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def children_of(pid: int) -> list[int]:
    children = []
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return sorted(children)


def _role(pid: int, supervisor: int) -> str | None:
    if pid == supervisor:
        return "supervisor"
    try:
        command = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return None
    if b"resource_tracker" in command:
        return None  # multiprocessing's helper, not ours
    if b"main.py worker" in command:
        return "jobs worker"
    return "app worker"


def _status_kb(pid: int, key: str) -> int:
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def stats_of(pid: int, role: str) -> ProcessStats | None:
    try:
        return ProcessStats(
            pid=pid,
            role=role,
            rss_mb=round(_status_kb(pid, "VmRSS") / 1024, 1),
            peak_mb=round(_status_kb(pid, "VmHWM") / 1024, 1),
            open_files=sum(1 for _ in (PROC / str(pid) / "fd").iterdir()),
        )
    except OSError:
        return None  # it has just exited


def server_processes(supervisor: int) -> list[ProcessStats]:
    """The supervisor and its children, app workers first."""
    found = []
    for pid in [supervisor, *children_of(supervisor)]:
        role = _role(pid, supervisor)
        stats = stats_of(pid, role) if role else None
        if stats is not None:
            found.append(stats)
    order = {"app worker": 0, "jobs worker": 1, "supervisor": 2}
    return sorted(found, key=lambda s: (order[s.role], s.pid))


def app_workers(supervisor: int) -> list[int]:
    return [s.pid for s in server_processes(supervisor) if s.role == "app worker"]
