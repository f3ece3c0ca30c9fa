"""Publications (公示) frozen and versioned, objections (异议), a contest's objection window.

A publication keeps a snapshot of what was published (scores, ranks, ties, judges'
totals); a correction withdraws a version and publishes the next. Contests gain
``objection_days`` (default 5, 0..30).

Revision ID: 0024
Revises: 0017
Create Date: 2026-12-04 20:31:18.130249
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import contest.models.base

revision: str = '0024'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('published_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('objections_close_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', contest.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdraw_reason', sa.Text(), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('advancement', 'awards')", name=op.f('ck_publications_kind')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_publications_version')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_publications_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_publications_published_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_publications_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_publications_withdrawn_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publications')),
    sa.UniqueConstraint('contest_id', 'subject', 'version', name=op.f('uq_publications_contest_id_subject_version'))
    )
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publications_contest_id'), ['contest_id'], unique=False)

    op.create_table('objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('decided_at', contest.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('document_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('document_stored', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('document_size', sa.Integer(), nullable=True),
    sa.Column('created_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('open', 'upheld', 'rejected')", name=op.f('ck_objections_state')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_objections_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_objections_decided_by_id_users')),
    sa.ForeignKeyConstraint(['entry_id'], ['entries.id'], name=op.f('fk_objections_entry_id_entries'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_objections_filed_by_id_users')),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_objections_publication_id_publications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objections'))
    )
    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objections_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_filed_by_id'), ['filed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_objections_publication_id'), ['publication_id'], unique=False)

    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('objection_days', sa.Integer(), server_default='5', nullable=False)
        )
        batch_op.create_check_constraint(
            op.f('ck_contests_objection_days'), 'objection_days BETWEEN 0 AND 30'
        )



def downgrade() -> None:
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_contests_objection_days'), type_='check')
        batch_op.drop_column('objection_days')

    with op.batch_alter_table('objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objections_publication_id'))
        batch_op.drop_index(batch_op.f('ix_objections_filed_by_id'))
        batch_op.drop_index(batch_op.f('ix_objections_contest_id'))

    op.drop_table('objections')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publications_contest_id'))

    op.drop_table('publications')
