"""Personal information: privacy notices per contest with versions, consent on accounts
and entries, erasure marks; phone numbers rewritten in E.164.

Phones: every `users.phone` and `entries.leader_phone` that libphonenumber parses (no
country code: a mainland number) is rewritten in E.164 (`+8613800138000`, an extension
as `;ext=123`); text that does not parse is kept as it was typed. The downgrade leaves
the numbers in E.164 (the old format cannot be told apart any more, and E.164 is still
readable).

Revision ID: 0031
Revises: 0026
Create Date: 2026-12-05 07:30:00
"""

import re
from collections.abc import Sequence

import phonenumbers
import sqlalchemy as sa
from alembic import op

import contest.models.base

revision: str = '0031'
down_revision: str | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The rules of contest/core/phones.py as of this revision (a migration must not change
# when the application's code does).
_EXTENSION = re.compile(r"^(.*?\d)\s*(?:-|转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)
_WIDTH = str.maketrans("＋（）－　０１２３４５６７８９", "+()- 0123456789")


def _valid(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def e164(text: str) -> str | None:
    compact = text.strip().translate(_WIDTH)
    if not compact:
        return None
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    number = _valid(compact)
    extension = None
    if number is None:
        split = _EXTENSION.match(compact)
        number = _valid(split.group(1)) if split else None
        if number is None or split is None:
            return None
        extension = split.group(2)
    extension = extension or number.extension
    stored = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return stored + (f";ext={extension}" if extension else "")


def _rewrite_phones(table: str, column: str) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        f"SELECT id, {column} FROM {table} WHERE {column} <> ''"  # noqa: S608
    )).all()
    for row_id, text in rows:
        stored = e164(text)
        if stored is not None and stored != text:
            connection.execute(
                sa.text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),  # noqa: S608
                {"value": stored, "id": row_id},
            )


def upgrade() -> None:
    op.create_table(
        'privacy_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contest_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('text_zh', sa.Text(), nullable=False),
        sa.Column('text_en', sa.Text(), nullable=False),
        sa.Column('created_at', contest.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('version >= 1', name=op.f('ck_privacy_notices_version')),
        sa.ForeignKeyConstraint(['contest_id'], ['contests.id'],
                                name=op.f('fk_privacy_notices_contest_id_contests'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_privacy_notices_created_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_notices')),
        sa.UniqueConstraint('contest_id', 'version',
                            name=op.f('uq_privacy_notices_contest_id_version')),
    )
    with op.batch_alter_table('privacy_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_notices_contest_id'), ['contest_id'],
                              unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('privacy_consented_at',
                                      contest.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('erased_at', contest.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_version', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('privacy_consented_at',
                                      contest.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('personal_data_erased_at',
                                      contest.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
    _rewrite_phones('users', 'phone')
    _rewrite_phones('entries', 'leader_phone')


def downgrade() -> None:
    with op.batch_alter_table('entries', schema=None) as batch_op:
        batch_op.drop_column('personal_data_erased_at')
        batch_op.drop_column('privacy_consented_at')
        batch_op.drop_column('privacy_version')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('privacy_consented_at')
        batch_op.drop_column('privacy_version')
    with op.batch_alter_table('privacy_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_notices_contest_id'))
    op.drop_table('privacy_notices')
