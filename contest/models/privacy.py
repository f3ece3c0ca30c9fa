"""Privacy notices (隐私声明) of contests, one row per version."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from contest.models.base import primary_key, timestamp


class PrivacyNotice(SQLModel, table=True):
    """One version of a contest's privacy notice, as teams consented to it.

    Versions count from 1 per contest and are never changed: an edit adds the next one.
    A contest without a row uses the default text (contest/consent/texts.py) as version 1,
    stored here the first time someone consents to it, so the text of every version a
    team agreed to stays readable.
    """

    __tablename__ = "privacy_notices"
    __table_args__ = (
        UniqueConstraint("contest_id", "version"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: int = primary_key()
    contest_id: int = Field(foreign_key="contests.id", index=True, ondelete="CASCADE")
    version: int
    text_zh: str = Field(sa_type=Text)
    text_en: str = Field(default="", sa_type=Text)
    created_at: datetime = timestamp()
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
