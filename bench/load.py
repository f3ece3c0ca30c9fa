"""Load benchmark: judges saving score sheets against `python main.py serve --workers 2`.

    python bench/load.py                       # SQLite and (if reachable) PostgreSQL
    python bench/load.py --backend sqlite --minutes 1 --duration 10
    python bench/load.py --backend both --no-saturation       # the 10-minute day only

Two modes, each against a freshly seeded database, from an asyncio load generator on
loopback (aiohttp, one connection per judge):

- day:        200 judges, each saving a draft or submitting a sheet every 2 s (jitter
              +-50%) for `--minutes` (10 by default); target p99 under 200 ms and zero
              errors. Each process of the server (the app's workers, the jobs' worker,
              uvicorn's supervisor) is looked at when the day starts and when it ends:
              resident memory, its peak, open files, and SQLite's WAL size; a leak
              shows as a climb.
- saturation: 200 connections saving drafts with no pause; in the same run the same load
              against a bare FastAPI endpoint that inserts one row into the same database
              (the ceiling); target at least 40% of the ceiling's requests/s. The two
              are measured in turns (`--turns`, 3 by default, the duration split among
              them) and each figure is over all its turns: on a shared machine the
              ceiling alone swung from 700 to 1,060 requests/s between runs.

After every run, every acknowledged save is checked in the database (zero lost sheets):
each sheet holds the values of its last acknowledged save, and every acknowledged
submission is submitted. The figures are printed; nothing here fails on time.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import aiohttp
import httpx
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.procs import ProcessStats, server_processes
from contest.core import schema
from contest.core.enums import Role, RoundKind, RoundMode, SheetState
from contest.core.security import hash_password, token_digest
from contest.models import (
    Assignment,
    AuthSession,
    Contest,
    ContestOrganiser,
    Criterion,
    CriterionScore,
    Entry,
    Judge,
    Round,
    RoundEntry,
    ScoreSheet,
    Track,
    User,
    utcnow,
)

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CRITERIA = (300, 250, 200, 150, 100)  # maxima in tenths


@dataclass
class Seeded:
    round_id: int
    criterion_ids: list[int]
    # token -> the entry ids assigned to that judge
    judges: dict[str, list[int]]
    judge_ids: dict[str, int]


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    stamps: list[float] = field(default_factory=list)  # when each answered save was sent
    errors: dict[str, int] = field(default_factory=dict)
    # (judge token, entry id) -> list of (revision, scores, submitted) acknowledged
    acked: dict[tuple[str, int], list[tuple[int, dict[str, float], bool]]] = field(
        default_factory=dict
    )
    started: float = 0.0
    finished: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    @property
    def requests(self) -> int:
        return len(self.latencies) + sum(self.errors.values())

    @property
    def req_per_s(self) -> float:
        elapsed = max(self.finished - self.started, 1e-9)
        return round(len(self.latencies) / elapsed, 1)

    def row(self, name: str) -> dict[str, object]:
        ordered = sorted(self.latencies) or [0.0]
        return {
            "run": name,
            "requests": self.requests,
            "req/s": self.req_per_s,
            "p50 ms": round(statistics.median(ordered) * 1000, 1),
            "p99 ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 1),
            "errors": sum(self.errors.values()),
        }


# --- the database ---------------------------------------------------------------------


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    """A migrated, empty database of the backend; dropped afterwards."""
    if backend == "sqlite":
        workdir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{workdir / 'load.db'}"
        schema.upgrade(url)
        yield url
        return
    server = make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))
    name = f"tianjiao_load_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        schema.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(url: str, *, judges: int, entries_per_judge: int) -> Seeded:
    """One open round; each judge assigned their own entries; a bearer token per judge."""
    engine = create_engine(url)
    password_hash = hash_password("load-test-password")
    with Session(engine) as db:
        organiser = User(email="organiser@load.test", name="load", role=Role.organiser,
                         password_hash=password_hash)
        db.add(organiser)
        db.flush()
        contest = Contest(name="load", year=2024)
        db.add(contest)
        db.flush()
        db.add(ContestOrganiser(contest_id=contest.id, user_id=organiser.id))
        track = Track(contest_id=contest.id, code="startup", name="创业组")
        round_ = Round(contest_id=contest.id, name="初赛", kind=RoundKind.preliminary,
                       position=1, mode=RoundMode.online_review, judges_per_entry=1,
                       opens_at=utcnow() - timedelta(days=1), carry_over_weight=Decimal(0))
        db.add_all([track, round_])
        db.flush()
        criteria = [Criterion(round_id=round_.id, name=f"C{i}", max_tenths=m, position=i)
                    for i, m in enumerate(CRITERIA)]
        db.add_all(criteria)
        db.flush()
        tokens: dict[str, list[int]] = {}
        judge_ids: dict[str, int] = {}
        for number in range(judges):
            user = User(email=f"judge{number}@load.test", name=f"评委{number}", role=Role.judge,
                        password_hash=password_hash)
            db.add(user)
            db.flush()
            judge = Judge(contest_id=contest.id, user_id=user.id, institution=f"机构{number}")
            db.add(judge)
            db.flush()
            token = f"load-token-{number}-{os.urandom(8).hex()}"
            db.add(AuthSession(id=token_digest(token), user_id=user.id, kind="token",
                               expires_at=utcnow() + timedelta(days=1)))
            entry_ids = []
            for index in range(entries_per_judge):
                entry = Entry(contest_id=contest.id, track_id=track.id,
                              title=f"项目 {number}-{index}", leader_name="王五")
                db.add(entry)
                db.flush()
                entry_ids.append(entry.id)
            db.execute(insert(RoundEntry), [{"round_id": round_.id, "entry_id": e, "status": "in"}
                                            for e in entry_ids])
            db.execute(insert(Assignment), [{"round_id": round_.id, "judge_id": judge.id,
                                             "entry_id": e, "source": "auto",
                                             "created_at": utcnow()} for e in entry_ids])
            tokens[token] = entry_ids
            judge_ids[token] = judge.id
        db.commit()
        seeded = Seeded(round_.id, [c.id for c in criteria], tokens, judge_ids)
    engine.dispose()
    return seeded


def lost_saves(url: str, seeded: Seeded, outcome: Outcome) -> list[str]:
    """Every acknowledged save, checked against what the database holds now."""
    engine = create_engine(url)
    problems = []
    with Session(engine) as db:
        sheets = {(s.judge_id, s.entry_id): s for s in db.scalars(
            select(ScoreSheet).where(col(ScoreSheet.round_id) == seeded.round_id))}
        values: dict[int, dict[str, float]] = {}
        for score in db.scalars(select(CriterionScore)):
            values.setdefault(score.sheet_id, {})[str(score.criterion_id)] = (
                score.value_tenths / 10)
    engine.dispose()
    for (token, entry_id), acks in outcome.acked.items():
        revision, scores, _submitted = max(acks, key=lambda ack: ack[0])
        sheet = sheets.get((seeded.judge_ids[token], entry_id))
        if sheet is None:
            problems.append(f"missing sheet judge {token[:16]} entry {entry_id}")
            continue
        if any(submitted for _r, _s, submitted in acks) and sheet.state != SheetState.submitted:
            problems.append(f"sheet {sheet.id}: acknowledged submission is not submitted")
        if sheet.revision < revision:
            problems.append(f"sheet {sheet.id}: revision {sheet.revision} < acked {revision}")
        elif sheet.revision == revision and values.get(sheet.id, {}) != scores:
            problems.append(f"sheet {sheet.id}: values differ from the last acknowledged save")
        stored = round(sum(values.get(sheet.id, {}).values()) * 10)
        if sheet.total_tenths != stored:
            problems.append(f"sheet {sheet.id}: total {sheet.total_tenths} != its scores {stored}")
    return problems


# --- the servers ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:PORT
    pid: int  # the process started: uvicorn's supervisor for `serve --workers N`


def wait_until_answering(process: subprocess.Popen[bytes], url: str, timeout_s: float) -> None:
    """Return once `url` answers at all; RuntimeError if `process` exits or time runs out.

    One client for all the tries: a new one loads the certificate authorities each time
    (35 ms of CPU, taken from the server starting beside it)."""
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=1) as prober:
        while True:
            try:
                prober.get(url)
                return
            except httpx.TransportError:
                if process.poll() is not None:
                    raise RuntimeError("server exited") from None
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.1)


@contextmanager
def serving(command: list[str], url: str, workdir: Path, probe: str,
            env: dict[str, str] | None = None) -> Iterator[Served]:
    """Run `command --port PORT` until the block ends; yields its address and process id."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "TIANJIAO_DATA_DIR": str(workdir / "data"),
           "TIANJIAO_SECRET_KEY": "load-benchmark-secret", "PYTHONPATH": str(ROOT),
           **(env or {})}
    log = (workdir / f"server-{port}.log").open("w")
    process = subprocess.Popen([*command, "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    # A shared machine under load (a load average of 20 on 2 cores was seen) takes well
    # over a minute to start two workers.
    try:
        wait_until_answering(process, base + probe, timeout_s=180)
    except RuntimeError:
        process.kill()  # never leave a half-started server behind
        process.wait()
        raise RuntimeError(f"server did not start; see {log.name}") from None
    try:
        yield Served(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()  # a worker stuck shutting down must not hang the benchmark
            process.wait()
        log.close()


@contextmanager
def server(command: list[str], url: str, workdir: Path, probe: str) -> Iterator[str]:
    with serving(command, url, workdir, probe) as served:
        yield served.base


def tianjiao_serving(url: str, workdir: Path, workers: int = 2,
                     env: dict[str, str] | None = None) -> AbstractContextManager[Served]:
    return serving([sys.executable, "main.py", "serve", "--workers", str(workers)], url,
                   workdir, "/api/v1/me", env)


def tianjiao_server(url: str, workdir: Path, workers: int = 2) -> AbstractContextManager[str]:
    return server([sys.executable, "main.py", "serve", "--workers", str(workers)], url, workdir,
                  "/api/v1/me")


def ceiling_server(url: str, workdir: Path, workers: int = 2) -> AbstractContextManager[str]:
    return server([sys.executable, "-m", "uvicorn", "bench.ceiling_app:app", "--workers",
                   str(workers), "--log-level", "warning"], url, workdir, "/ping")


# --- the load -------------------------------------------------------------------------


def random_scores(seeded: Seeded, rng: random.Random) -> dict[str, float]:
    return {str(cid): rng.randint(0, top) / 10 for cid, top in zip(seeded.criterion_ids,
                                                                   CRITERIA, strict=True)}


async def judge_loop(client: aiohttp.ClientSession, seeded: Seeded, token: str, outcome: Outcome,
                     *, deadline: float, pause: float, submit_share: float,
                     rng: random.Random) -> None:
    entries = list(seeded.judges[token])
    headers = {"Authorization": f"Bearer {token}"}
    if pause:
        await asyncio.sleep(rng.uniform(0, pause))  # spread the judges' first saves
    while time.monotonic() < deadline and entries:
        entry_id = entries[0]
        scores = random_scores(seeded, rng)
        submit = rng.random() < submit_share
        url = f"/api/v1/rounds/{seeded.round_id}/entries/{entry_id}/sheet"
        start = time.monotonic()
        try:
            async with client.put(url, json={"scores": scores, "submit": submit,
                                             "comment": "负载测试"}, headers=headers) as response:
                status = response.status
                body = await response.json() if status == 200 else None
        except (aiohttp.ClientError, TimeoutError) as exc:
            outcome.error(type(exc).__name__)
        else:
            if body is not None:
                outcome.latencies.append(time.monotonic() - start)
                outcome.stamps.append(start)
                outcome.acked.setdefault((token, entry_id), []).append(
                    (body["revision"], scores, body["state"] == "submitted"))
                if submit:
                    entries.pop(0)  # locked now; go on to the next entry
                else:
                    entries.append(entries.pop(0))
            else:
                outcome.error(str(status))
        if pause:
            await asyncio.sleep(pause * rng.uniform(0.5, 1.5))


def _client(base: str, connections: int) -> aiohttp.ClientSession:
    # aiohttp rather than httpx: httpx tops out near 150 requests/s here and would
    # measure itself, not the server.
    return aiohttp.ClientSession(base_url=base, connector=aiohttp.TCPConnector(
        limit=connections), timeout=aiohttp.ClientTimeout(total=30))


async def drive(base: str, seeded: Seeded, *, seconds: float, pause: float,
                submit_share: float, seed: int = 1) -> Outcome:
    outcome = Outcome()
    async with _client(base, len(seeded.judges)) as client:
        outcome.started = time.monotonic()
        deadline = outcome.started + seconds
        await asyncio.gather(*(
            judge_loop(client, seeded, token, outcome, deadline=deadline, pause=pause,
                       submit_share=submit_share, rng=random.Random(seed * 100_003 + n))
            for n, token in enumerate(seeded.judges)))
        outcome.finished = time.monotonic()
    return outcome


async def drive_ceiling(base: str, connections: int, seconds: float) -> Outcome:
    outcome = Outcome()
    async with _client(base, connections) as client:
        outcome.started = time.monotonic()
        deadline = outcome.started + seconds

        async def loop() -> None:
            while time.monotonic() < deadline:
                start = time.monotonic()
                try:
                    async with client.post("/insert") as response:
                        status = response.status
                        await response.read()
                except (aiohttp.ClientError, TimeoutError) as exc:
                    outcome.error(type(exc).__name__)
                    continue
                if status == 200:
                    outcome.latencies.append(time.monotonic() - start)
                else:
                    outcome.error(str(status))

        await asyncio.gather(*(loop() for _ in range(connections)))
        outcome.finished = time.monotonic()
    return outcome


# --- the runs -------------------------------------------------------------------------


def merged(outcomes: list[Outcome]) -> Outcome:
    """Several runs as one: every answer and error, over the runs' summed durations."""
    total = Outcome(finished=sum(o.finished - o.started for o in outcomes))
    for outcome in outcomes:
        total.latencies.extend(outcome.latencies)
        total.stamps.extend(outcome.stamps)
        for kind, count in outcome.errors.items():
            total.errors[kind] = total.errors.get(kind, 0) + count
        for key, acks in outcome.acked.items():
            total.acked.setdefault(key, []).extend(acks)
    return total


def saturate(url: str, workdir: Path, seeded: Seeded, *, seconds: float,
             turn: int) -> tuple[Outcome, Outcome]:
    """(warm-up, measured run) of Tianjiao at saturation, on a freshly started server."""
    with tianjiao_server(url, workdir) as base:
        # Warm up both workers (imports, SQL compilation caches) with drafts that the
        # measured run then overwrites; only the run is measured.
        warm = asyncio.run(drive(base, seeded, seconds=3, pause=0.5, submit_share=0.0,
                                 seed=7 + turn))
        outcome = asyncio.run(drive(base, seeded, seconds=seconds, pause=0.0,
                                    submit_share=0.0, seed=1 + turn))
    return warm, outcome


@dataclass
class Resources:
    """What the server's processes hold at the start and at the end of the judging day."""

    run: str
    start: list[ProcessStats] = field(default_factory=list)
    end: list[ProcessStats] = field(default_factory=list)
    wal_start_mb: float | None = None  # SQLite's write-ahead log, if any
    wal_end_mb: float | None = None


DAY_PAUSE_S = 2.0
DAY_SUBMIT_SHARE = 0.2


def day_entries(day_seconds: float) -> int:
    """Entries per judge so that no judge runs out of sheets before the day ends (a save
    every ~2 s, one in five a submission that closes its sheet), with a margin."""
    return max(8, math.ceil(day_seconds / DAY_PAUSE_S * DAY_SUBMIT_SHARE * 1.25))


def wal_mb(url: str) -> float | None:
    if not url.startswith("sqlite"):
        return None
    wal = Path(f"{make_url(url).database}-wal")
    return round(wal.stat().st_size / 2**20, 1) if wal.exists() else 0.0


def run_backend(backend: str, *, judges: int, seconds: float, day_seconds: float,
                ceiling: bool = True, turns: int = 3,
                saturation: bool = True) -> tuple[list[dict[str, object]], Resources]:
    """The judging day (`day_seconds`; the server's memory and open files taken at its
    start and end), then saturation and the ceiling taken in turns (`turns` of each,
    `seconds` in all), so that the machine's changing load weighs on both alike."""
    rows = []
    resources = Resources(f"{backend} day")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with database(backend, workdir / "day" if backend == "sqlite" else workdir) as url:
            seeded = seed(url, judges=judges, entries_per_judge=day_entries(day_seconds))
            with tianjiao_serving(url, workdir) as served:
                warm = asyncio.run(drive(served.base, seeded, seconds=3, pause=0.5,
                                         submit_share=0.0, seed=7))
                resources.start = server_processes(served.pid)
                resources.wal_start_mb = wal_mb(url)
                outcome = asyncio.run(drive(served.base, seeded, seconds=day_seconds,
                                            pause=DAY_PAUSE_S, submit_share=DAY_SUBMIT_SHARE))
                resources.end = server_processes(served.pid)
                resources.wal_end_mb = wal_mb(url)
            rows.append(_row(f"{backend} day", url, seeded, merged([warm, outcome]), outcome))
        if not saturation:
            return rows, resources
        with database(backend, workdir / "saturation" if backend == "sqlite" else workdir) as url:
            seeded = seed(url, judges=judges, entries_per_judge=8)
            runs: list[Outcome] = []
            warmups: list[Outcome] = []
            bare: list[Outcome] = []
            for turn in range(turns):
                warm, outcome = saturate(url, workdir, seeded, seconds=seconds / turns,
                                         turn=turn)
                warmups.append(warm)
                runs.append(outcome)
                if ceiling:
                    with ceiling_server(url, workdir) as base:
                        bare.append(asyncio.run(drive_ceiling(base, judges, seconds / turns)))
            measured = merged(runs)
            row = _row(f"{backend} saturation", url, seeded, merged(warmups + runs), measured)
            rows.append(row)
            if ceiling:
                bare_run = merged(bare)
                ceiling_row = bare_run.row(f"{backend} ceiling (bare insert)")
                ceiling_row["lost"] = ""
                ceiling_row["error kinds"] = dict(bare_run.errors) or ""
                ratio = measured.req_per_s / max(bare_run.req_per_s, 1e-9)
                row["of ceiling"] = f"{ratio:.0%}"
                rows.append(ceiling_row)
    return rows, resources


def _row(name: str, url: str, seeded: Seeded, every: Outcome,
         measured: Outcome) -> dict[str, object]:
    """The measured run's figures, and the saves lost of every acknowledged one."""
    row = measured.row(name)
    row["lost"] = len(lost_saves(url, seeded, every))
    row["error kinds"] = dict(measured.errors) or ""
    return row


def print_table(rows: list[dict[str, object]]) -> None:
    columns = ["run", "requests", "req/s", "p50 ms", "p99 ms", "errors", "lost", "of ceiling",
               "error kinds"]
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    print(" | ".join(c.ljust(widths[c]) for c in columns))
    print("-+-".join("-" * widths[c] for c in columns))
    for row in rows:
        print(" | ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))


def pg_reachable() -> bool:
    try:
        engine = create_engine(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def print_resources(every: list[Resources]) -> None:
    """One line per process: resident memory, its peak and open files, start -> end."""
    print()
    print("run            | process     | pid     | RSS MB start -> end | peak MB | open files")
    print("---------------+-------------+---------+---------------------+---------+-----------")
    for resources in every:
        start = {s.pid: s for s in resources.start}
        for stats in resources.end:
            before = start.get(stats.pid)
            rss = f"{before.rss_mb if before else '?'} -> {stats.rss_mb}"
            files = f"{before.open_files if before else '?'} -> {stats.open_files}"
            print(f"{resources.run:<14} | {stats.role:<11} | {stats.pid:<7} | {rss:<19} | "
                  f"{stats.peak_mb:<7} | {files}")
        if resources.wal_end_mb is not None:
            print(f"{resources.run:<14} | SQLite WAL  |         | "
                  f"{resources.wal_start_mb} -> {resources.wal_end_mb} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--judges", type=int, default=200)
    parser.add_argument("--minutes", type=float, default=10.0,
                        help="length of the judging day run (memory and open files are "
                             "reported at its start and end)")
    parser.add_argument("--duration", type=float, default=20.0,
                        help="seconds of the saturation run (and of the ceiling)")
    parser.add_argument("--turns", type=int, default=3,
                        help="saturation and ceiling runs taken in turns (duration split)")
    parser.add_argument("--no-saturation", action="store_true",
                        help="the judging day only")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not pg_reachable():
        print("PostgreSQL not reachable; skipping it")
        backends.remove("postgresql")
    rows = []
    every = []
    print(f"load average at start: {load_average()}", flush=True)
    for backend in backends:
        backend_rows, resources = run_backend(
            backend, judges=args.judges, seconds=args.duration, day_seconds=args.minutes * 60,
            turns=args.turns, saturation=not args.no_saturation)
        rows.extend(backend_rows)
        every.append(resources)
    print(f"load average at end: {load_average()}")
    print_table(rows)
    print_resources(every)


def load_average() -> str:
    """The machine's load (1, 5, 15 minutes): other work on it weighs on every figure."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
