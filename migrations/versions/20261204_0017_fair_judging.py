"""Fair judging: judges' declarations, named conflicts, organisers' exceptions and
institution families; documents keep a cleaned copy and their first page's text.

Revision ID: 0017
Revises: 0023
Create Date: 2026-12-04 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from contest.models.base import UTCDateTime

revision: str = "0017"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _judges_and_documents() -> None:
    with op.batch_alter_table("judges", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("affiliations", sa.JSON(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("companies", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("declared_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clean_stored_name", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("first_page_text", sa.Text(), nullable=False, server_default="")
        )


def upgrade() -> None:
    _judges_and_documents()
    op.create_table(
        "named_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("institution", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["judge_id"],
            ["judges.id"],
            name=op.f("fk_named_conflicts_judge_id_judges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_named_conflicts")),
    )
    op.create_index(op.f("ix_named_conflicts_judge_id"), "named_conflicts", ["judge_id"])
    op.create_table(
        "conflict_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["judge_id"],
            ["judges.id"],
            name=op.f("fk_conflict_exceptions_judge_id_judges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entries.id"],
            name=op.f("fk_conflict_exceptions_entry_id_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_conflict_exceptions_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_exceptions")),
        sa.UniqueConstraint(
            "judge_id", "entry_id", name=op.f("uq_conflict_exceptions_judge_id_entry_id")
        ),
    )
    op.create_index(op.f("ix_conflict_exceptions_judge_id"), "conflict_exceptions", ["judge_id"])
    op.create_index(op.f("ix_conflict_exceptions_entry_id"), "conflict_exceptions", ["entry_id"])
    op.create_table(
        "institution_families",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["contests.id"],
            name=op.f("fk_institution_families_contest_id_contests"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_institution_families_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institution_families")),
    )
    op.create_index(
        op.f("ix_institution_families_contest_id"), "institution_families", ["contest_id"]
    )


def downgrade() -> None:
    op.drop_table("institution_families")
    op.drop_table("conflict_exceptions")
    op.drop_table("named_conflicts")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("first_page_text")
        batch_op.drop_column("clean_stored_name")
    with op.batch_alter_table("judges", schema=None) as batch_op:
        batch_op.drop_column("declared_at")
        batch_op.drop_column("companies")
        batch_op.drop_column("affiliations")
