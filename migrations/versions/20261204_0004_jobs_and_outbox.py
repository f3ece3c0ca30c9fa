"""Background jobs and the mail outbox (contest/jobs, contest/notices).

A job row is the truth about a piece of background work (the queue engine only carries
its id); an outbox row is one mail, rendered when queued, with its delivery state.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import contest.models.base

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('progress', sa.Float(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('result_path', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('result_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('contest_id', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('enqueued_at', contest.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('heartbeat_at', contest.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('run_after', contest.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', contest.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', contest.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f('ck_jobs_state')),
    sa.CheckConstraint('progress >= 0 AND progress <= 1', name=op.f('ck_jobs_progress')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_jobs_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_jobs_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index('ix_jobs_state_heartbeat', ['state', 'heartbeat_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_user_id'), ['user_id'], unique=False)

    op.create_table('outbox_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=True),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('created_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', contest.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('sent_at', contest.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("state IN ('pending', 'sending', 'sent', 'held', 'failed')", name=op.f('ck_outbox_mails_state')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_outbox_mails_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_outbox_mails_job_id_jobs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mails'))
    )
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_mails_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index('ix_outbox_mails_job_state', ['job_id', 'state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_mails_job_state')
        batch_op.drop_index(batch_op.f('ix_outbox_mails_contest_id'))

    op.drop_table('outbox_mails')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_user_id'))
        batch_op.drop_index('ix_jobs_state_heartbeat')
        batch_op.drop_index(batch_op.f('ix_jobs_contest_id'))

    op.drop_table('jobs')
