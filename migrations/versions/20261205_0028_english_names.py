"""English names for contest content; judges' active flag; judges' notes to the committee.

Contests, tracks, rounds and criteria gain ``name_en`` and awards ``custom_name_en``
(optional: empty means "use the Chinese name"). Judges gain ``active`` (a deactivated
judge gets no new assignments and keeps submitted sheets). Score sheets gain
``committee_note``: the judge's note to the committee, never shown to teams (``comment``
stays the feedback published to teams).

Revision ID: 0028
Revises: 0024
Create Date: 2026-12-05 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0028"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAMES = (("contests", "name_en", 200), ("tracks", "name_en", 100), ("rounds", "name_en", 100),
         ("criteria", "name_en", 100), ("awards", "custom_name_en", 100))


def upgrade() -> None:
    for table, column, length in NAMES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    column,
                    sqlmodel.sql.sqltypes.AutoString(length=length),
                    server_default="",
                    nullable=False,
                )
            )
    with op.batch_alter_table("judges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("committee_note", sa.Text(), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("score_sheets", schema=None) as batch_op:
        batch_op.drop_column("committee_note")
    with op.batch_alter_table("judges", schema=None) as batch_op:
        batch_op.drop_column("active")
    for table, column, _length in reversed(NAMES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
