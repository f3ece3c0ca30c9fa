"""Score sheets keep their total: results read it instead of summing every score.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("total_tenths", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_check_constraint(op.f("ck_score_sheets_total_tenths"), "total_tenths >= 0")
    op.execute(
        "UPDATE score_sheets SET total_tenths = COALESCE((SELECT SUM(c.value_tenths)"
        " FROM criterion_scores c WHERE c.sheet_id = score_sheets.id), 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_score_sheets_total_tenths"), type_="check")
        batch_op.drop_column("total_tenths")
