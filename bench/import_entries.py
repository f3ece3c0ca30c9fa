"""Bulk import of 5,000 entries from XLSX: ``python -m bench.import_entries`` from the repo root.

Builds the spreadsheet in memory (half startup entries with valid credit codes, half
creative ones, two members each), then times what an organiser waits for: reading the
XLSX, checking every row, and inserting entries, members and round places, in one
transaction, on a fresh migrated SQLite database and, when TEST_DATABASE_URL is set,
on a fresh PostgreSQL database. The contest already holds 2,000 entries, so the
duplicate-title check has something to look at. Prints a table; never fails on time.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from contest.core import schema
from contest.core.db import Database
from contest.core.enums import ContestStatus, Role, RoundKind
from contest.entries.eligibility import CREDIT_CODE_CHARSET, credit_code_check_character
from contest.entries.export import ENTRY_COLUMNS
from contest.entries.importing import check_table, import_entries, read_table
from contest.models import Contest, ContestOrganiser, Entry, Round, Track, User

TARGET_SECONDS = 5.0
HEADER = [c for c in ENTRY_COLUMNS if c != "video_url"]
CITIES = ["上海", "北京", "杭州", "南京", "苏州", "广州", "深圳", "武汉", "成都", "西安"]
FIELDS = ["创新药", "医疗器械", "体外诊断", "数字健康", "生物技术"]


def credit_code(rng: random.Random) -> str:
    body = "91" + "310000" + "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))
    return body + credit_code_check_character(body)


def build_xlsx(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(HEADER)
    for i in range(rows):
        startup = i % 2 == 0
        sheet.append(
            [
                "startup" if startup else "creative",
                f"导入项目 {i:05d} 生命健康创新方案",
                "面向基层医疗的创新方案，" * 8,
                rng.choice(FIELDS),
                f"大学{rng.randrange(24):02d}",
                rng.choice(CITIES),
                f"负责人{i}",
                f"leader{i}@example.com",
                f"13{rng.randrange(10**9):09d}",
                f"成员甲{i};成员乙{i}",
                f"上海某某{i}医疗科技有限公司" if startup else "",
                credit_code(rng) if startup else "",
                "2021-05-01" if startup else "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def arrange(url: str, existing: int) -> tuple[Database, int, int]:
    """A migrated database with one contest, two tracks, three rounds, existing entries."""
    schema.upgrade(url)
    database = Database(url)
    with database.session() as db:
        organiser = User(email="o@example.com", name="o", role=Role.organiser, password_hash="x")
        contest = Contest(name="基准大赛", year=2023, status=ContestStatus.open)
        db.add_all([organiser, contest])
        db.flush()
        db.add(ContestOrganiser(contest_id=contest.id, user_id=organiser.id))
        startup = Track(contest_id=contest.id, code="startup", name="创业组", requires_company=True)
        creative = Track(contest_id=contest.id, code="creative", name="创意组", position=1)
        db.add_all([startup, creative])
        for position, kind in enumerate(RoundKind, start=1):
            db.add(Round(contest_id=contest.id, name=kind.value, kind=kind, position=position))
        db.flush()
        db.execute(
            insert(Entry),
            [
                {
                    "contest_id": contest.id,
                    "track_id": creative.id,
                    "title": f"已有项目 {i}",
                    "leader_name": "x",
                }
                for i in range(existing)
            ],
        )
        return database, contest.id, organiser.id


def timed(step: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = step()
    return time.perf_counter() - start, result


def _loaded(db: Session, contest_id: int, organiser_id: int) -> tuple[Contest, User]:
    contest, actor = db.get(Contest, contest_id), db.get(User, organiser_id)
    assert contest is not None
    assert actor is not None
    return contest, actor


def run(url: str, data: bytes, existing: int) -> dict[str, float]:
    database, contest_id, organiser_id = arrange(url, existing)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "entries.xlsx"
        path.write_bytes(data)
        read_seconds, table = timed(lambda: read_table(path))
        with database.session() as db:
            contest, actor = _loaded(db, contest_id, organiser_id)
            check_seconds, _ = timed(lambda: check_table(db, contest, table))
            db.rollback()
        with database.session() as db:
            contest, actor = _loaded(db, contest_id, organiser_id)
            total_seconds, imported = timed(
                lambda: import_entries(db, actor=actor, contest=contest, path=path)
            )
            commit_start = time.perf_counter()
        commit_seconds = time.perf_counter() - commit_start
    database.dispose()
    assert imported == len(table.rows)
    return {
        "read": read_seconds,
        "check": check_seconds,
        "insert": total_seconds - read_seconds - check_seconds,
        "total": total_seconds + commit_seconds,
        "rows": imported,
    }


def postgres_url(base: str) -> tuple[str, Callable[[], None]]:
    server = make_url(base)
    name = f"tianjiao_bench_{os.getpid()}"
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
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--existing", type=int, default=2000)
    args = parser.parse_args()
    build_seconds, data = timed(lambda: build_xlsx(args.rows))
    size = len(data) / 1024
    print(f"XLSX with {args.rows:,} rows: {size:.0f} kB, built in {build_seconds:.2f} s")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = run(f"sqlite:///{folder}/bench.db", data, args.existing)
    if os.environ.get("TEST_DATABASE_URL"):
        url, drop = postgres_url(os.environ["TEST_DATABASE_URL"])
        try:
            results["PostgreSQL"] = run(url, data, args.existing)
        finally:
            drop()
    print(f"\n{'database':<12}{'rows':>7}{'read':>9}{'check':>9}{'insert':>9}{'total':>9}  target")
    for name, r in results.items():
        verdict = "ok" if r["total"] <= TARGET_SECONDS else "SLOW"
        print(
            f"{name:<12}{r['rows']:>7,}{r['read']:>8.2f}s{r['check']:>8.2f}s"
            f"{r['insert']:>8.2f}s{r['total']:>8.2f}s  <= {TARGET_SECONDS:.0f} s {verdict}"
        )


if __name__ == "__main__":
    main()
