"""Account life cycle: single-use mailed links, sessions' last use and client, accounts
awaiting the confirmation of their address.

``account_tokens`` keeps the SHA-256 of each confirmation, reset and invitation link;
``auth_sessions`` gains ``last_used_at``, ``client`` and ``address`` for the owner's list
of sessions; ``users.awaiting_confirmation`` is false for every existing account.

Revision ID: 0025
Revises: 0028
Create Date: 2026-12-05 03:14:51.589643
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import contest.models.base

revision: str = '0025'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('account_tokens',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('created_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("purpose IN ('confirm', 'reset', 'invite')", name=op.f('ck_account_tokens_purpose')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens'))
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_tokens_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_used_at', contest.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, server_default=''))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('awaiting_confirmation', sa.Boolean(), nullable=False, server_default=sa.false()))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('awaiting_confirmation')

    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('client')
        batch_op.drop_column('last_used_at')

    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tokens_user_id'))

    op.drop_table('account_tokens')
