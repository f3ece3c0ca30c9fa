"""Investors and follow-up: investor accounts, their interest marks, the teams' consents
and the deals that follow a contest.

Revision ID: 0022
Revises: 0004
Create Date: 2026-12-04 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import contest.models.base

revision: str = "0022"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES_BEFORE = "role IN ('organiser', 'judge', 'team')"
ROLES_AFTER = "role IN ('organiser', 'judge', 'team', 'investor')"


def _roles(condition: str) -> None:
    # On SQLite the batch rebuilds the users table with the new CHECK (foreign keys are
    # not enforced on the migration's connection, so the rebuild keeps every reference).
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.create_check_constraint("role", condition)


def upgrade() -> None:
    _roles(ROLES_AFTER)
    when = contest.models.base.UTCDateTime()
    op.create_table(
        "investors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("stakes", sa.JSON(), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["contest_id"], ["contests.id"],
                                name=op.f("fk_investors_contest_id_contests"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_investors_user_id_users")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_investors_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investors")),
        sa.UniqueConstraint("contest_id", "user_id", name=op.f("uq_investors_contest_id_user_id")),
    )
    op.create_index(op.f("ix_investors_contest_id"), "investors", ["contest_id"])
    op.create_index(op.f("ix_investors_user_id"), "investors", ["user_id"])
    op.create_table(
        "investor_interests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("investor_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.CheckConstraint("level IN ('watch', 'meet', 'intent')",
                           name=op.f("ck_investor_interests_level")),
        sa.ForeignKeyConstraint(["investor_id"], ["investors.id"],
                                name=op.f("fk_investor_interests_investor_id_investors"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"],
                                name=op.f("fk_investor_interests_entry_id_entries"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investor_interests")),
        sa.UniqueConstraint("investor_id", "entry_id",
                            name=op.f("uq_investor_interests_investor_id_entry_id")),
    )
    op.create_index(op.f("ix_investor_interests_investor_id"), "investor_interests",
                    ["investor_id"])
    op.create_index(op.f("ix_investor_interests_entry_id"), "investor_interests", ["entry_id"])
    op.create_table(
        "entry_consents",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("share_business_plan", sa.Boolean(), nullable=False),
        sa.Column("contact", sa.Boolean(), nullable=False),
        sa.Column("publish_deals", sa.Boolean(), nullable=False),
        sa.Column("updated_at", when, nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"],
                                name=op.f("fk_entry_consents_entry_id_entries"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_entry_consents_updated_by_id_users")),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_entry_consents")),
    )
    op.create_table(
        "deals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("partner", sa.String(length=200), nullable=False),
        sa.Column("amount_wan", sa.Numeric(14, 2), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("created_at", when, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", when, nullable=True),
        sa.Column("withdraw_reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('investment_intent', 'investment', 'incubation', 'partnership', 'grant')",
            name=op.f("ck_deals_kind"),
        ),
        sa.CheckConstraint("amount_wan IS NULL OR amount_wan >= 0",
                           name=op.f("ck_deals_amount_wan")),
        sa.ForeignKeyConstraint(["contest_id"], ["contests.id"],
                                name=op.f("fk_deals_contest_id_contests"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entry_id"], ["entries.id"],
                                name=op.f("fk_deals_entry_id_entries"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_deals_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_deals_stored_name")),
    )
    op.create_index(op.f("ix_deals_contest_id"), "deals", ["contest_id"])
    op.create_index(op.f("ix_deals_entry_id"), "deals", ["entry_id"])


def downgrade() -> None:
    op.drop_table("deals")
    op.drop_table("entry_consents")
    op.drop_table("investor_interests")
    op.drop_table("investors")
    # Investor accounts cannot stay investors; kept (audit records name them) but closed.
    op.execute("UPDATE users SET role = 'team', is_active = false WHERE role = 'investor'")
    _roles(ROLES_BEFORE)
