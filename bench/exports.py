"""Exports at national scale: time and memory of CSV and XLSX for 10,000 and 100,000 entries.

The round of bench/results.py (n entries x 5 judges x 5 criteria, all submitted) is
generated into a migrated SQLite database, plus two members per entry, a summary and
the assignments behind the sheets; databases are kept in the temp folder between runs.
Each export then runs in a fresh child process that reports its wall time and its peak
RSS growth (the peak during the export, VmHWM reset just before it, minus the RSS at
its start): if memory is flat, the growth is the same for 10,000 and 100,000 entries.
Results are the exception by nature: ranking needs every entry's score at once
(contest/results/service.py), so that part grows with the round; its file writing does not.

The whole-contest workbook is written by a pool of worker processes, one per core
(contest/exports/parallel.py), started by this export: its CPU figure adds theirs (their
start-up included) and the last column is the largest peak RSS among them. "warm" has the
workers started (as opening the exports page does) before the clock starts.

    .venv/bin/python -m bench.exports [--sizes 10000 100000] [--only workbook] [--postgresql]

With --postgresql the same runs on PostgreSQL (TEST_DATABASE_URL's server; a database of
its own per size, generated each run and dropped after).

Target: a whole-contest export of 100,000 entries under 10 s, flat memory.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.results import generate, postgres_url  # noqa: E402
from contest.core import schema
from contest.core.db import Database
from contest.exports import parallel as exports_parallel
from contest.exports import tables as exports_tables
from contest.kit.tables import Table, table_csv, write_xlsx
from contest.models import Contest, Round

ZONE = ZoneInfo("Asia/Shanghai")
TARGET_SECONDS = 10.0
EXTRA = [
    "UPDATE entries SET summary = '面向基层医疗机构的多模态人工智能辅助诊断系统' || id,"
    " leader_email = 'lead' || id || '@example.com', leader_phone = '13800138000',"
    " field = '医疗器械'",
    *[
        f"INSERT INTO entry_members (entry_id, position, name) SELECT id, {n}, '{name}' || id"
        " FROM entries"
        for n, name in enumerate(("成员甲", "成员乙"))
    ],
    "INSERT INTO assignments (round_id, judge_id, entry_id, source, created_at)"
    " SELECT round_id, judge_id, entry_id, 'auto', created_at FROM score_sheets",
]
# name -> what the child runs: a CSV streamed to nowhere, or a workbook of some tables.
EXPORTS = {
    "entries.csv": "csv:entries",
    "sheets.csv (500k rows at 100k)": "csv:sheets",
    "results.csv": "csv:results",
    "workbook: entries + results": "xlsx:entries,results",
    "workbook: whole contest": "xlsx:all",
    "workbook: whole contest, warm": "xlsx:all-warm",
}


def database(entries: int, folder: Path) -> str:
    """A migrated SQLite database with the generated round, built once per size."""
    path = folder / f"tianjiao-bench-exports-{entries}.db"
    url = f"sqlite:///{path}"
    if not path.exists():
        fill(url, entries)
    return url


def fill(url: str, entries: int) -> None:
    """Migrate the empty database at `url` and generate the round and the rest into it."""
    schema.upgrade(url)
    engine = create_engine(url)
    generate(engine, entries)
    with engine.begin() as connection:
        for statement in EXTRA:
            connection.exec_driver_sql(statement)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _peak_mb(pid: int) -> float:
    """A worker process's peak RSS (it was started for this export)."""
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise KeyError(pid)


def _optional(megabytes: float) -> str:
    return f"{megabytes:.1f}" if megabytes else ""


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a worker process (its start-up included)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _reset_peak() -> int:
    """Reset the peak RSS (VmHWM) to the current RSS (Linux 4.0+); return the RSS in kB."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")
    return _status_kb("VmRSS")


def _tables(db: Session, contest: Contest, which: str) -> list[Table]:
    round_ = db.get(Round, 1)
    assert round_ is not None
    every = {
        "entries": lambda: exports_tables.entries_table(contest),
        "sheets": lambda: exports_tables.sheets_table(db, contest, round_),
        "results": lambda: exports_tables.results_table(db, contest, round_),
    }
    if which.startswith("all"):
        return exports_tables.contest_tables(db, contest)
    return [every[name]() for name in which.split(",")]


def child(url: str, job: str) -> dict[str, float]:
    """Run one export in this (fresh) process; report seconds, RSS growth and size."""
    kind, which = job.split(":")
    data = Database(url)
    with data.session(write=False) as db:
        contest = db.get(Contest, 1)
        assert contest is not None
        tables = _tables(db, contest, which)
        if which == "all-warm":  # as after the exports page was opened
            entries = exports_tables.overview(db, contest).entries
            for started in exports_parallel.warm_up(data, entries):
                started.result()
        before = _reset_peak()
        start, cpu = time.perf_counter(), time.process_time()
        workers_peak = workers_cpu = 0.0
        if kind == "csv":
            size = sum(len(chunk) for chunk in table_csv(data, tables[0], ZONE))
        elif which.startswith("all"):
            path = exports_parallel.write_contest_workbook(data, contest, ZONE)
            size = path.stat().st_size
            path.unlink()
            pids = exports_parallel.worker_pids()
            workers_peak = max(map(_peak_mb, pids), default=0.0)
            workers_cpu = sum(map(_cpu_seconds, pids))
        else:
            path = write_xlsx(db, tables, ZONE)
            size = path.stat().st_size
            path.unlink()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu + workers_cpu
    peak = _status_kb("VmHWM")
    return {
        "seconds": seconds,
        "cpu": cpu,
        "growth_mb": max(0, peak - before) / 1024,
        "size_mb": size / 1e6,
        "workers_peak_mb": workers_peak,
    }


def run_child(url: str, job: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.exports", "--child", url, job],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--only", help="run only the exports whose name contains this")
    parser.add_argument(
        "--postgresql",
        action="store_true",
        help="on PostgreSQL (a database of its own per size on TEST_DATABASE_URL's server)",
    )
    parser.add_argument("--child", nargs=2, metavar=("URL", "JOB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return
    drops: list[Callable[[], None]] = []
    try:
        run(args, _databases(args, drops))
    finally:
        for drop in drops:
            drop()


def _databases(args: argparse.Namespace, drops: list[Callable[[], None]]) -> dict[int, str]:
    urls = {}
    for size in args.sizes:
        start = time.perf_counter()
        if args.postgresql:
            url, drop = postgres_url(os.environ["TEST_DATABASE_URL"], f"exports_{size}")
            drops.append(drop)
            fill(url, size)
            urls[size] = url
        else:
            urls[size] = database(size, Path(tempfile.gettempdir()))
        print(f"database of {size:,} entries ready in {time.perf_counter() - start:.1f} s")
    return urls


def run(args: argparse.Namespace, urls: dict[int, str]) -> None:
    header = (
        f"{'export':32} {'entries':>8} {'wall s':>7} {'CPU s':>6} {'RSS growth MB':>14}"
        f" {'file MB':>8} {'worker peak MB':>15}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for name, job in EXPORTS.items():
        if args.only and args.only not in name:
            continue
        for size in args.sizes:
            found = run_child(urls[size], job)
            print(
                f"{name:32} {size:>8,} {found['seconds']:>7.2f} {found['cpu']:>6.2f}"
                f" {found['growth_mb']:>14.1f}"
                f" {found['size_mb']:>8.1f}"
                f" {_optional(found['workers_peak_mb']):>15}"
            )
    print(f"\ntarget: a whole-contest workbook of 100,000 entries under {TARGET_SECONDS:.0f} s")


if __name__ == "__main__":
    main()
