"""Who follows the live final: judges' phones and big screens report in.

The pre-flight check of a final asks whether every judge and a big screen were seen in
the last minute; each reports every 15 seconds (contest/live/README.md).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import contest.models.base

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_presence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("seen_at", contest.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["rounds.id"],
            name=op.f("fk_live_presence_round_id_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_presence")),
        sa.UniqueConstraint("round_id", "key", name=op.f("uq_live_presence_round_id_key")),
    )


def downgrade() -> None:
    op.drop_table("live_presence")
