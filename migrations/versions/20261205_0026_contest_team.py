"""An organiser team per contest: each link to a contest has a role (owner, organiser,
viewer) and the time it was added.

Existing links become co-organisers, except one per contest which becomes its owner:
the account that created the contest (its `contest.create` audit record) if it is still
linked, else the link with the lowest account id.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import contest.models.base

revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('contest_organisers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=False,
                                      server_default='organiser'))
        batch_op.add_column(sa.Column('added_at', contest.models.base.UTCDateTime(timezone=True),
                                      nullable=False, server_default=sa.func.now()))
        batch_op.create_check_constraint(op.f('ck_contest_organisers_role'),
                                        "role IN ('owner', 'organiser', 'viewer')")
    _mark_owners()


def _mark_owners() -> None:
    connection = op.get_bind()
    links = connection.execute(sa.text(
        "SELECT contest_id, user_id FROM contest_organisers ORDER BY contest_id, user_id"
    )).all()
    creators = dict(connection.execute(sa.text(
        "SELECT contest_id, MIN(actor_id) FROM audit_log"
        " WHERE action = 'contest.create' AND actor_id IS NOT NULL GROUP BY contest_id"
    )).all())
    members: dict[int, list[int]] = {}
    for contest_id, user_id in links:
        members.setdefault(contest_id, []).append(user_id)
    for contest_id, users in members.items():
        owner = creators.get(contest_id)
        if owner not in users:
            owner = users[0]
        connection.execute(
            sa.text("UPDATE contest_organisers SET role = 'owner'"
                    " WHERE contest_id = :contest AND user_id = :user"),
            {"contest": contest_id, "user": owner},
        )


def downgrade() -> None:
    # Without roles every link is a full organiser: viewers must not become one.
    op.execute("DELETE FROM contest_organisers WHERE role = 'viewer'")
    with op.batch_alter_table('contest_organisers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_contest_organisers_role'), type_='check')
        batch_op.drop_column('added_at')
        batch_op.drop_column('role')
