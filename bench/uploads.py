"""Big uploads during a judging day: memory of each worker, and the judges' saves.

    python -m bench.uploads                          # SQLite and (if reachable) PostgreSQL
    python -m bench.uploads --backend sqlite --uploads 40 --size-mb 19

Against `python main.py serve --workers 2`: 200 judges save drafts every ~2 s (as in
bench/load.py's day); after `--before` seconds, `--uploads` business plans of `--size-mb`
MB each (valid PDFs of 20 pages with incompressible images, bench/big_pdf.py) are posted
at once, each to its own entry, by an organiser; the judges go on for `--after` seconds
after the last upload is answered. Targets (issue 19): each app worker's resident memory
stays under 300 MB, and the judges' saves keep p99 under 200 ms while the uploads run.

Printed: the machine's load; the uploads' answers and times; per app worker its memory
before the uploads, its peak (the kernel's high-water mark, VmHWM) and at the end; the
judges' save times before, during and after the uploads; and the checks that every
upload is stored whole and no acknowledged save is lost. Nothing here fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import random
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, func, select
from sqlmodel import Session, col

from bench.big_pdf import write_big_pdf
from bench.load import (
    DAY_PAUSE_S,
    Outcome,
    Seeded,
    database,
    judge_loop,
    load_average,
    lost_saves,
    pg_reachable,
    seed,
    tianjiao_serving,
)
from bench.procs import app_workers, stats_of
from contest.core.security import token_digest
from contest.models import AuthSession, Document, User, utcnow

MB = 2**20


@dataclass
class Upload:
    status: int | str = ""
    seconds: float = 0.0
    detail: str = ""  # the answer's text, when it is not 201


@dataclass
class Memory:
    """Resident memory of each app worker, sampled every quarter second."""

    samples: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def watch(self, pids: list[int]) -> None:
        while not self.stop.is_set():
            now = time.monotonic()
            for pid in pids:
                stats = stats_of(pid, "app worker")
                if stats is not None:
                    self.samples.setdefault(pid, []).append((now, stats.rss_mb))
            self.stop.wait(0.25)

    def at(self, pid: int, moment: float) -> float:
        """The last sample taken at or before `moment`."""
        earlier = [rss for when, rss in self.samples.get(pid, []) if when <= moment]
        return earlier[-1] if earlier else 0.0

    def highest(self, pid: int, start: float, end: float) -> float:
        return max((rss for when, rss in self.samples.get(pid, []) if start <= when <= end),
                   default=0.0)


def organiser_token(url: str) -> str:
    engine = create_engine(url)
    token = "upload-bench-organiser"
    with Session(engine) as db:
        organiser = db.scalars(select(User).where(col(User.email) == "organiser@load.test")).one()
        db.add(AuthSession(id=token_digest(token), user_id=organiser.id, kind="token",
                           expires_at=utcnow() + timedelta(days=1)))
        db.commit()
    engine.dispose()
    return token


def stored_documents(url: str, size: int) -> tuple[int, int]:
    """(how many documents, how many of them have the size that was sent)."""
    engine = create_engine(url)
    with Session(engine) as db:
        count = db.scalar(select(func.count()).select_from(Document)) or 0
        whole = db.scalar(select(func.count()).select_from(Document)
                          .where(col(Document.size) == size)) or 0
    engine.dispose()
    return count, whole


async def upload(client: aiohttp.ClientSession, entry_id: int, pdf: Path, token: str,
                 result: Upload) -> None:
    start = time.monotonic()
    form = aiohttp.FormData()
    form.add_field("kind", "business_plan")
    with pdf.open("rb") as handle:
        form.add_field("file", handle, filename="商业计划书.pdf", content_type="application/pdf")
        try:
            async with client.post(f"/api/v1/entries/{entry_id}/documents", data=form,
                                   headers={"Authorization": f"Bearer {token}"}) as response:
                body = await response.read()
                result.status = response.status
                if response.status != 201:
                    result.detail = body.decode("utf-8", "replace")[:200]
        except (aiohttp.ClientError, TimeoutError) as exc:
            result.status = type(exc).__name__
    result.seconds = time.monotonic() - start


def uploads_in_own_process(base: str, entries: list[int], pdf: Path,
                           token: str) -> list[Upload]:
    """The uploads, sent by a process of their own. Sent from the judges' event loop, the
    760 MB kept that loop busy, and the saves' times measured the load generator: the
    first version of this benchmark reported p50 1.2 s for saves the server answered in
    milliseconds."""
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    sender = context.Process(target=_send_uploads, args=(base, entries, pdf, token, sending))
    sender.start()
    sending.close()
    results: list[Upload] = receiving.recv()
    sender.join()
    return results


def _send_uploads(base: str, entries: list[int], pdf: Path, token: str,
                  sending: Connection) -> None:
    async def send_all() -> list[Upload]:
        results = [Upload() for _ in entries]
        async with aiohttp.ClientSession(
                base_url=base, timeout=aiohttp.ClientTimeout(total=600),
                connector=aiohttp.TCPConnector(limit=len(entries))) as uploader:
            await asyncio.gather(*(upload(uploader, entry, pdf, token, result)
                                   for entry, result in zip(entries, results, strict=True)))
        return results

    sending.send(asyncio.run(send_all()))
    sending.close()


@dataclass
class Phases:
    uploads_start: float = 0.0
    uploads_end: float = 0.0


async def day_with_uploads(base: str, seeded: Seeded, *, token: str, pdf: Path, uploads: int,
                           before: float, after: float, phases: Phases,
                           judges: Outcome) -> list[Upload]:
    entries = [entry for entry_ids in seeded.judges.values() for entry in entry_ids][:uploads]
    connector = aiohttp.TCPConnector(limit=len(seeded.judges))
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(base_url=base, connector=connector,
                                     timeout=timeout) as client:
        judges.started = time.monotonic()
        loops = [asyncio.create_task(judge_loop(
            client, seeded, judge_token, judges, deadline=float("inf"), pause=DAY_PAUSE_S,
            submit_share=0.0, rng=random.Random(n))) for n, judge_token in
            enumerate(seeded.judges)]
        await asyncio.sleep(before)
        phases.uploads_start = time.monotonic()
        results = await asyncio.get_running_loop().run_in_executor(
            None, uploads_in_own_process, base, entries, pdf, token)
        phases.uploads_end = time.monotonic()
        await asyncio.sleep(after)
        for loop in loops:
            loop.cancel()
        for loop in loops:
            with contextlib.suppress(asyncio.CancelledError):
                await loop
        judges.finished = time.monotonic()
    return results


def percentiles(latencies: list[float]) -> str:
    if not latencies:
        return "no saves"
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (f"{len(ordered):>5} saves  p50 {statistics.median(ordered) * 1000:7.1f} ms  "
            f"p99 {p99 * 1000:7.1f} ms  max {ordered[-1] * 1000:7.1f} ms")


def run(backend: str, *, judges: int, uploads: int, size_mb: float, before: float,
        after: float, keep: Path | None = None) -> None:
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    folder: contextlib.AbstractContextManager[str] = (
        contextlib.nullcontext(tempfile.mkdtemp(dir=keep)) if keep is not None
        else tempfile.TemporaryDirectory())
    with folder as tmp:
        workdir = Path(tmp)
        pdf = workdir / "plan.pdf"
        size = write_big_pdf(pdf, size_mb=size_mb)
        with database(backend, workdir) as url:
            seeded = seed(url, judges=judges, entries_per_judge=8)
            token = organiser_token(url)
            # No disk reserve: the benchmark's temporary folder may sit on a small disk.
            with tianjiao_serving(url, workdir,
                                  env={"TIANJIAO_DISK_RESERVE_BYTES": "0"}) as served:
                workers = app_workers(served.pid)
                memory = Memory()
                watcher = threading.Thread(target=memory.watch, args=(workers,), daemon=True)
                watcher.start()
                phases = Phases()
                outcome = Outcome()
                load_before = load_average()
                results = asyncio.run(day_with_uploads(
                    served.base, seeded, token=token, pdf=pdf, uploads=uploads,
                    before=before, after=after, phases=phases, judges=outcome))
                load_after = load_average()
                memory.stop.set()
                watcher.join()
                peaks = {pid: stats_of(pid, "app worker") for pid in workers}
            lost = lost_saves(url, seeded, outcome)
            documents, whole = stored_documents(url, size)
    print(f"\n== {backend}: {uploads} uploads of {size / MB:.1f} MB, {judges} judges saving "
          f"every ~{DAY_PAUSE_S:.0f} s, serve --workers 2")
    print(f"load average (1/5/15 min): {load_before} before, {load_after} after")
    statuses: dict[str, int] = {}
    for result in results:
        statuses[str(result.status)] = statuses.get(str(result.status), 0) + 1
    times = sorted(r.seconds for r in results)
    print(f"uploads: {statuses}; {phases.uploads_end - phases.uploads_start:.1f} s for all, "
          f"each {times[0]:.1f}-{times[-1]:.1f} s (median {statistics.median(times):.1f} s); "
          f"{documents} documents stored, {whole} of full size")
    for detail in sorted({r.detail for r in results if r.detail}):
        print(f"  refused: {detail}")
    print("app worker | RSS MB before uploads | highest sampled | peak (VmHWM) | at the end")
    for pid in workers:
        final = peaks[pid]
        print(f"{pid:<10} | {memory.at(pid, phases.uploads_start):<21} | "
              f"{memory.highest(pid, phases.uploads_start, time.monotonic()):<15} | "
              f"{final.peak_mb if final else '?':<12} | {final.rss_mb if final else '?'}")
    windows = {
        f"before the uploads ({before:.0f} s)": (0.0, phases.uploads_start),
        "while uploading": (phases.uploads_start, phases.uploads_end),
        f"after ({after:.0f} s)": (phases.uploads_end, float("inf")),
    }
    for name, (start, end) in windows.items():
        chosen = [latency for stamp, latency in zip(outcome.stamps, outcome.latencies,
                                                    strict=True) if start <= stamp < end]
        print(f"judges' saves {name:<26} {percentiles(chosen)}")
    print(f"save errors: {outcome.errors or 0}; acknowledged saves lost: {len(lost)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--judges", type=int, default=200)
    parser.add_argument("--uploads", type=int, default=40)
    parser.add_argument("--size-mb", type=float, default=19.0)
    parser.add_argument("--before", type=float, default=10.0,
                        help="seconds of judging before the uploads")
    parser.add_argument("--after", type=float, default=30.0,
                        help="seconds of judging after the last upload")
    parser.add_argument("--keep", type=Path, help="keep the server's log and files under here")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not pg_reachable():
        print("PostgreSQL not reachable; skipping it")
        backends.remove("postgresql")
    for backend in backends:
        run(backend, judges=args.judges, uploads=args.uploads, size_mb=args.size_mb,
            before=args.before, after=args.after, keep=args.keep)


if __name__ == "__main__":
    main()
