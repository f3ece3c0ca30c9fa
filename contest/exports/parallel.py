"""The whole-contest workbook written by several processes at once.

One process writes a workbook of 100,000 entries (14 million cells) in about 19 s, nearly
all of it Python turning rows into XML, which one core does at a time. So the sheets are
cut into jobs: the big ones (entries, assignments, score sheets) into slices of entries of
about equal size, the others whole. A pool of processes, one per core, writes each job's
rows as a piece of deflated XML in a file (exports_xlsx.write_part), biggest jobs first;
this process then joins each sheet's pieces into the workbook without recompressing them
(zip_parts). Each job reads in its own transaction: a score saved while the export runs
may show in one slice and not in another, as it could between two sheets before.

A small contest (under PARALLEL_FROM entries), an in-memory SQLite database (which another
process cannot open) and a one-core machine have their jobs run here, one after the
other, the same way.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from threading import Lock
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlmodel import Session, col

from contest.core.db import Database
from contest.core.i18n import current_locale, use_locale
from contest.exports import tables as exports_tables
from contest.exports.tables import SLICEABLE, EntryIds, Sheet
from contest.kit.tables import Table
from contest.kit.xlsx import XlsxWriter, write_part
from contest.kit.zip_parts import SheetPart
from contest.models import Contest, Entry, Round

# Below this many entries one process writes the workbook in well under a second, less
# than starting the workers the first time would take.
PARALLEL_FROM = 2_000
# Slices per big sheet and process: small enough for the processes to finish together,
# large enough that each job's fixed cost (a session, a query) stays small.
SLICES_PER_WORKER = 2
# Rough rows per entry, to start the biggest jobs first: 5 judges per entry; results
# count thrice for ranking the whole round in one job before writing it; awards are few.
ROWS_PER_ENTRY = {"entries": 1, "assignments": 5, "sheets": 5, "results": 3}


@dataclass(frozen=True)
class Job:
    """One piece of one sheet, for a worker process (everything in it pickles)."""

    url: str
    contest_id: int
    locale: str
    zone: str
    kind: str
    round_id: int | None
    ids: EntryIds
    path: str
    cost: int  # rows x columns, to start the biggest first


def workers() -> int:
    return os.cpu_count() or 1


def write_contest_workbook(
    database: Database, contest: Contest, zone: ZoneInfo, directory: Path | None = None
) -> Path:
    """The whole-contest workbook (exports_tables.contest_sheets) in a temporary file."""
    handle, name = tempfile.mkstemp(suffix=".xlsx", prefix="tianjiao-export-", dir=directory)
    os.close(handle)
    path = Path(name)
    pieces = Path(tempfile.mkdtemp(prefix="tianjiao-export-parts-", dir=directory))
    try:
        with database.session(write=False) as db:
            sheets = exports_tables.contest_sheets(db, contest)
            tables = [exports_tables.sheet_table(db, contest, sheet) for sheet in sheets]
            widths = [len(table.columns) for table in tables]
            count = exports_tables.entry_count(db, contest.id)
            sized = zip(sheets, widths, strict=True)
            jobs = _jobs(db, database.url, contest, count, sized, zone, pieces)
        alone = count < PARALLEL_FROM or workers() == 1 or _in_memory(database.url)
        parts = _run(jobs, in_process=alone)
        _write_sheets(path, zone, tables, jobs, parts)
    except BaseException as error:
        if isinstance(error, BrokenProcessPool):  # a worker died: start afresh next time
            _forget_pool()
        path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(pieces, ignore_errors=True)
    return path


def _write_sheets(
    path: Path,
    zone: ZoneInfo,
    tables: list[Table],
    jobs: list[list[Job]],
    parts: dict[str, Future[SheetPart]],
) -> None:
    """Join each sheet's pieces into the workbook as they are done, in sheet order."""
    try:
        with XlsxWriter(path, zone=zone) as writer:
            for table, sheet_jobs in zip(tables, jobs, strict=True):
                done = [parts[job.path].result() for job in sheet_jobs]
                writer.add_sheet_parts(
                    table.name, table.headers, done, widths=[c.width for c in table.columns]
                )
                for job in sheet_jobs:
                    Path(job.path).unlink()
    except BaseException:
        for future in parts.values():  # the workbook is lost: start no job still waiting
            future.cancel()
        raise


def _jobs(
    db: Session,
    url: str,
    contest: Contest,
    count: int,
    sheets: Iterable[tuple[Sheet, int]],
    zone: ZoneInfo,
    folder: Path,
) -> list[list[Job]]:
    """Each sheet's jobs, in sheet order; `sheets` pairs each with its number of columns;
    `count` entries in the contest."""
    assert contest.id is not None
    bounds = _slices(db, contest.id, count, workers() * SLICES_PER_WORKER)
    jobs: list[list[Job]] = []
    for number, (sheet, width) in enumerate(sheets):
        kind, round_ = sheet
        slices = bounds if kind in SLICEABLE else [None]
        rows = count * ROWS_PER_ENTRY.get(kind, 0)
        jobs.append(
            [
                Job(
                    url,
                    contest.id,
                    current_locale(),
                    zone.key,
                    kind,
                    round_.id if round_ else None,
                    ids,
                    str(folder / f"sheet{number}-{k}.part"),
                    rows * width // len(slices),
                )
                for k, ids in enumerate(slices)
            ]
        )
    return jobs


def _slices(db: Session, contest_id: int, count: int, wanted: int) -> list[EntryIds]:
    """`wanted` slices of the contest's entries by id, about equal in size."""
    cuts: list[int] = []
    for k in range(1, wanted):
        cut = db.connection().execute(
            select(col(Entry.id))
            .where(col(Entry.contest_id) == contest_id)
            .order_by(col(Entry.id))
            .offset(count * k // wanted)
            .limit(1)
        )
        found = cut.scalar()
        if found is not None and (not cuts or found > cuts[-1]):
            cuts.append(found)
    edges: list[int | None] = [None, *cuts, None]
    return [(low, high) for low, high in zip(edges, edges[1:], strict=False)]


def _run(jobs: Iterable[list[Job]], *, in_process: bool) -> dict[str, Future[SheetPart]]:
    """Start every job, biggest first; path -> its future part."""
    ordered = sorted((job for sheet in jobs for job in sheet), key=lambda job: -job.cost)
    executor: Executor = _Here() if in_process else _pool()
    return {job.path: executor.submit(write_job, job) for job in ordered}


def write_job(job: Job) -> SheetPart:
    """In a worker: the job's rows as a piece of deflated sheet XML in job.path."""
    database = _database(job.url)
    with use_locale(job.locale), database.session(write=False) as db:
        if not database.is_sqlite:
            _one_core_per_job(db)
        contest = db.get(Contest, job.contest_id)
        round_ = db.get(Round, job.round_id) if job.round_id is not None else None
        assert contest is not None
        table = exports_tables.sheet_table(db, contest, (job.kind, round_), job.ids)
        kinds = [c.kind for c in table.columns]
        return write_part(Path(job.path), kinds, table.rows(db), ZoneInfo(job.zone))


def _one_core_per_job(db: Session) -> None:
    """PostgreSQL: no parallel workers of its own nor JIT compiling for a job's queries.
    The jobs already keep every core busy, and each slice is small enough that both cost
    more than they give."""
    db.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    db.execute(text("SET LOCAL jit = off"))


@cache
def _database(url: str) -> Database:
    """One Database (engines and their pools) per URL for the life of a worker."""
    return Database(url)


def _in_memory(url: str) -> bool:
    return url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") == "sqlite:")


_pool_lock = Lock()
_pool_instance: ProcessPoolExecutor | None = None


def _pool() -> ProcessPoolExecutor:
    """The worker processes, started on first use and kept. "spawn", not fork: the server
    has threads, and a forked child would inherit their locks held."""
    global _pool_instance
    with _pool_lock:
        if _pool_instance is None:
            context = multiprocessing.get_context("spawn")
            _pool_instance = ProcessPoolExecutor(workers(), mp_context=context)
        return _pool_instance


def worker_pids() -> list[int]:
    """The worker processes now running (for bench/exports.py's memory figures)."""
    with _pool_lock:
        processes = getattr(_pool_instance, "_processes", None) or {}
        return list(processes)


def warm_up(database: Database, entries: int) -> list[Future[int]]:
    """Start the workers ahead of a big export (the exports page does, when an organiser
    opens it): a worker's first job otherwise waits ~0.6 s for it to start and import."""
    if entries < PARALLEL_FROM or workers() == 1 or _in_memory(database.url):
        return []
    pool = _pool()
    return [pool.submit(os.getpid) for _ in range(workers())]


def _forget_pool() -> None:
    global _pool_instance
    with _pool_lock:
        _pool_instance = None


_P = ParamSpec("_P")
_T = TypeVar("_T")


class _Here(Executor):
    """Runs each job when submitted, in this process."""

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> Future[_T]:
        future: Future[_T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the caller by result()
            future.set_exception(error)
        return future
