"""Results of a national-scale round, from the database to the ranked list.

One round of 100,000 entries x 5 judges x 5 criteria (2.5 million criterion scores,
docs/rules.md section 8) is generated straight into a fresh migrated database with
INSERT ... SELECT over a recursive CTE (no Python loop over rows). Then, in the same
run, two timings:

- bare group-by: ``SELECT entry_id, SUM(value_tenths) ... GROUP BY entry_id`` over
  the same submitted scores, fetched to Python: the reference the target is measured against;
- results: ``contest.results.service.round_results`` (entries, sheet totals as every save keeps
  them, tie-break sums, scoring, the typed ranked list of every track).

SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (a database of its own,
created and dropped). Prints a table; target: results under 5 s and within 3x of the
bare group-by. Run from the repository root::

    .venv/bin/python -m bench.results [--entries 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contest.core import schema
from contest.core.db import Database
from contest.models import Round
from contest.results import service as results

JUDGES = 2_000
JUDGES_PER_ENTRY = 5
# (name, max in tenths, tiebreak priority): the rules' default 100-point rubric.
RUBRIC = ((300, 1), (250, 2), (200, None), (150, None), (100, None))
TARGET_SECONDS = 5.0
TARGET_RATIO = 3.0
BARE_GROUP_BY = """
SELECT s.entry_id, SUM(c.value_tenths)
FROM criterion_scores c JOIN score_sheets s ON s.id = c.sheet_id
WHERE s.round_id = :round_id AND s.state = 'submitted'
GROUP BY s.entry_id
"""


def _numbers(dialect: str, limit: int) -> tuple[str, str]:
    """(prefix, source) of the numbers 1..limit as column n.i, made inside the server:
    PostgreSQL's generate_series, SQLite's recursive CTE."""
    if dialect == "postgresql":
        return "", f"generate_series(1, {int(limit)}) AS n(i)"
    cte = f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {int(limit)}) "
    return cte, "n"


def _statements(dialect: str, entries: int) -> list[str]:
    """Every row of the round from its number alone: ids are 1..n, judge k of entry e is
    one of 5 distinct judges (401 apart modulo 2,000), values mix a quality per entry,
    a severity per judge and some noise, within each criterion's maximum."""
    now = "'2023-06-01 00:00:00+00'" if dialect == "postgresql" else "'2023-06-01 00:00:00.000000'"

    def numbered(limit: int, columns: str, table: str, select: str) -> str:
        prefix, source = _numbers(dialect, limit)
        return f"INSERT INTO {table} ({columns}) {prefix}SELECT {select} FROM {source}"

    return [
        numbered(
            JUDGES + 1,
            "id, email, name, role, password_hash, institution, phone, locale, is_active,"
            " created_at",
            "users",
            "i, 'u' || i || '@example.com', '评委' || i, CASE WHEN i = 1 THEN 'organiser'"
            f" ELSE 'judge' END, 'x', '', '', '', TRUE, {now}",
        ),
        "INSERT INTO contests (id, name, series, year, description, organisers, status,"
        f" max_entries_per_team, created_at) VALUES (1, '基准大赛', '', 2023, '', '[]',"
        f" 'judging', 1, {now})",
        "INSERT INTO contest_organisers (contest_id, user_id) VALUES (1, 1)",
        "INSERT INTO tracks (id, contest_id, code, name, requires_company, position) VALUES"
        " (1, 1, 'startup', '创业组', TRUE, 0), (2, 1, 'creative', '创意组', FALSE, 1)",
        "INSERT INTO rounds (id, contest_id, name, kind, position, mode, judges_per_entry,"
        " aggregation, trim_min_judges, normalization, carry_over_weight, blind,"
        " advance_count, pitch_seconds, qa_seconds, created_at) VALUES (1, 1, '初赛',"
        " 'preliminary', 1, 'online_review', 5, 'trimmed_mean', 5, 'none', 0, FALSE,"
        f' \'{{"startup": 18000, "creative": 17000}}\', 480, 420, {now})',
        *[
            "INSERT INTO criteria (id, round_id, name, description, max_tenths,"
            f" tiebreak_priority, position) VALUES ({k + 1}, 1, '评分项{k + 1}', '',"
            f" {max_tenths}, {'NULL' if priority is None else priority}, {k})"
            for k, (max_tenths, priority) in enumerate(RUBRIC)
        ],
        numbered(
            JUDGES,
            "id, contest_id, user_id, institution, title, expertise, created_at",
            "judges",
            f"i, 1, i + 1, '机构' || i, '', '[]', {now}",
        ),
        numbered(
            entries,
            "id, contest_id, track_id, title, summary, field, institution, city, leader_name,"
            " leader_email, leader_phone, company_name, credit_code, video_url, created_at,"
            " updated_at",
            "entries",
            "i, 1, 1 + i % 2, '参赛项目 ' || i, '', '', '大学' || (i % 24), '上海', '负责人',"
            f" '', '', '', '', '', {now}, {now}",
        ),
        numbered(entries, "id, round_id, entry_id, status", "round_entries", "i, 1, i, 'in'"),
        numbered(
            entries * JUDGES_PER_ENTRY,
            "id, round_id, judge_id, entry_id, state, comment, revision, created_at,"
            " updated_at, submitted_at",
            "score_sheets",
            f"i, 1, ((i - 1) / 5 * 7 + ((i - 1) % 5) * 401) % {JUDGES} + 1, (i - 1) / 5 + 1,"
            f" 'submitted', '', 1, {now}, {now}, {now}",
        ),
        "INSERT INTO criterion_scores (sheet_id, criterion_id, value_tenths)"
        # Per mille of the maximum: 400 + quality (0-299) + severity (0-89) + noise of
        # this sheet and criterion (0-120, a multiplicative hash).
        " SELECT s.id, c.id, c.max_tenths * (400 + s.entry_id * 7919 % 300"
        " + s.judge_id * 31 % 90"
        " + (CAST(s.id AS BIGINT) * 2654435761 + c.id * 40503) % 4294967291 % 121) / 1000"
        " FROM score_sheets s CROSS JOIN criteria c",
        # Each sheet's total, as every save keeps it (contest/judging/sheets.py).
        "UPDATE score_sheets SET total_tenths = (SELECT SUM(c.value_tenths)"
        " FROM criterion_scores c WHERE c.sheet_id = score_sheets.id)",
    ]


def generate(engine: Engine, entries: int) -> int:
    """Fill a migrated, empty database in one transaction; returns the round's id.

    Foreign keys are not checked during the load (every id is made consistent by
    construction): 2.5 million checks would double its time."""
    dialect = engine.dialect.name
    # The driver's own connection: no SQLAlchemy transaction begun behind our back
    # (SQLite ignores the pragma inside one) and no parameter parsing of the % operator.
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if dialect == "sqlite":
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("BEGIN")
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")
        for statement in _statements(dialect, entries):
            cursor.execute(statement)
        raw.commit()
        if dialect == "sqlite":
            cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if dialect == "postgresql":
            for table in ("users", "judges", "entries", "round_entries", "score_sheets"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {entries * 5})"
                )
            # What autovacuum does soon after a bulk load: statistics and visibility map.
            connection.exec_driver_sql("VACUUM ANALYZE")
    return 1


def timed(run: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def measure(url: str, entries: int, repeat: int) -> dict[str, float]:
    schema.upgrade(url)
    database = Database(url)
    start = time.perf_counter()
    round_id = generate(database.engine, entries)
    generated = time.perf_counter() - start

    def bare() -> int:
        with database.engine.connect() as connection:
            return len(connection.execute(text(BARE_GROUP_BY), {"round_id": round_id}).all())

    def ranked() -> int:
        with database.session(write=False) as db:
            round_ = db.get(Round, round_id)
            assert round_ is not None
            outcome = results.round_results(db, round_)
            return sum(len(outcome.lines(code)) for code in outcome.track_codes)

    # Interleaved, best of each: the machine's load then weighs on both alike.
    bare_s, results_s = float("inf"), float("inf")
    for _ in range(repeat):
        seconds, bare_rows = timed(bare)
        bare_s = min(bare_s, seconds)
        seconds, ranked_rows = timed(ranked)
        results_s = min(results_s, seconds)
    database.dispose()
    assert bare_rows == ranked_rows == entries, (bare_rows, ranked_rows)
    return {"generate": generated, "bare": bare_s, "results": results_s}


def postgres_url(base: str, what: str = "results") -> tuple[str, Callable[[], None]]:
    """A new database on `base`'s server for one benchmark run, and how to drop it."""
    server = make_url(base)
    name = f"tianjiao_bench_{what}_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs of each")
    args = parser.parse_args()
    scores = args.entries * JUDGES_PER_ENTRY * len(RUBRIC)
    print(
        f"{args.entries:,} entries x {JUDGES_PER_ENTRY} judges x {len(RUBRIC)} criteria ="
        f" {scores:,} criterion scores; best of {args.repeat};"
        f" load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        rows["sqlite"] = measure(f"sqlite:///{folder}/bench.db", args.entries, args.repeat)
    if os.environ.get("TEST_DATABASE_URL"):
        url, drop = postgres_url(os.environ["TEST_DATABASE_URL"])
        try:
            rows["postgresql"] = measure(url, args.entries, args.repeat)
        finally:
            drop()
    print(
        f"\n{'database':<12}{'generate s':>11}{'bare group-by s':>17}{'results s':>11}"
        f"{'ratio':>7}  target"
    )
    for name, r in rows.items():
        ratio = r["results"] / r["bare"]
        ok = r["results"] <= TARGET_SECONDS and ratio <= TARGET_RATIO
        print(
            f"{name:<12}{r['generate']:>11.1f}{r['bare']:>17.2f}{r['results']:>11.2f}"
            f"{ratio:>7.2f}  < {TARGET_SECONDS:.0f} s, < {TARGET_RATIO:.0f}x: "
            f"{'ok' if ok else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
