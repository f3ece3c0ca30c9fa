"""Investors invited to a contest, their interest in projects, the teams' consents and
the deals that follow (docs/rules.md "Investors and follow-up")."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Numeric, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from contest.models.base import json_list, optional_time, primary_key, timestamp


class Investor(SQLModel, table=True):
    """A user's seat as an investor guest of one contest (the role is per contest)."""

    __tablename__ = "investors"
    __table_args__ = (UniqueConstraint("contest_id", "user_id"),)

    id: int = primary_key()
    contest_id: int = Field(foreign_key="contests.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", index=True)
    organisation: str = Field(max_length=200)
    # Companies the investor holds a stake in: [{"name", "credit_code"}]; a conflict
    # with the entries of those companies (contest/investors/conflicts.py).
    stakes: list[dict[str, str]] = json_list()
    created_at: datetime = timestamp()
    created_by_id: int | None = Field(default=None, foreign_key="users.id")


class Interest(SQLModel, table=True):
    """One investor's mark on one project: watch, want to meet, intends to invest."""

    __tablename__ = "investor_interests"
    __table_args__ = (
        UniqueConstraint("investor_id", "entry_id"),
        CheckConstraint("level IN ('watch', 'meet', 'intent')", name="level"),
    )

    id: int = primary_key()
    investor_id: int = Field(foreign_key="investors.id", index=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    level: str = Field(sa_type=String(8))
    # Private to the investor and the organisers; never shown to the team.
    note: str = Field(default="", sa_type=Text)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class EntryConsent(SQLModel, table=True):
    """What an entry's team agreed to share with investors and the public (all off until
    the team turns them on)."""

    __tablename__ = "entry_consents"

    entry_id: int = Field(foreign_key="entries.id", primary_key=True, ondelete="CASCADE")
    share_business_plan: bool = False
    contact: bool = False
    publish_deals: bool = False
    updated_at: datetime = timestamp()
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")


class Deal(SQLModel, table=True):
    """Something that followed the contest for a project: an intent, an investment, an
    incubation place, a partnership or a grant. Withdrawn, never deleted."""

    __tablename__ = "deals"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('investment_intent', 'investment', 'incubation', 'partnership', 'grant')",
            name="kind",
        ),
        CheckConstraint("amount_wan IS NULL OR amount_wan >= 0", name="amount_wan"),
    )

    id: int = primary_key()
    contest_id: int = Field(foreign_key="contests.id", index=True, ondelete="CASCADE")
    entry_id: int = Field(foreign_key="entries.id", index=True, ondelete="CASCADE")
    kind: str = Field(sa_type=String(20))
    partner: str = Field(max_length=200)
    # 万元 (10,000 yuan), up to two decimals: exact, never a binary float.
    amount_wan: Decimal | None = Field(default=None, sa_type=Numeric(14, 2))
    signed_on: date
    note: str = Field(default="", sa_type=Text)
    public: bool = False
    filename: str = Field(default="", max_length=255)
    stored_name: str | None = Field(default=None, max_length=64, unique=True)
    size: int | None = None
    created_at: datetime = timestamp()
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    withdrawn_at: datetime | None = optional_time()
    withdraw_reason: str = Field(default="", sa_type=Text)
