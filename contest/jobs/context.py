"""What a job's handler gets: its parameters, the database, and ways to report."""

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from contest.core.db import Database
from contest.core.settings import Settings
from contest.models import Job, utcnow

# Progress is written at most this often: a job reporting every row of a 10,000-row
# import must not turn into 10,000 write transactions.
PROGRESS_INTERVAL_S = 0.5


@dataclass
class JobContext:
    """What a handler gets: its parameters, the database, and ways to report."""

    job_id: int
    kind: str
    params: dict[str, Any]
    database: Database
    settings: Settings
    user_id: int | None = None
    contest_id: int | None = None
    attempt: int = 1
    result: tuple[str, str] | None = None
    _reported_at: float = field(default=0.0)

    def progress(self, fraction: float, *, force: bool = False) -> None:
        """Report how far the job is (0..1); written at most twice a second."""
        now = time.monotonic()
        if not force and now - self._reported_at < PROGRESS_INTERVAL_S:
            return
        self._reported_at = now
        value = min(max(float(fraction), 0.0), 0.999)  # 1 is written when the job is done
        with self.database.session() as db:
            db.execute(
                update(Job)
                .where(col(Job.id) == self.job_id, col(Job.state) == "running")
                .values(progress=value, heartbeat_at=utcnow())
            )

    def result_file(self, name: str) -> Path:
        """Where to write the job's result file; offered for download when it is done."""
        folder = self.settings.data_dir / "jobs" / str(self.job_id)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def set_result(self, path: Path, download_name: str) -> None:
        self.result = (str(path), download_name)
