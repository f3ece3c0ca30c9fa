"""Contests, their organisers and tracks."""

from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from contest.core.enums import ContestStatus, TeamRole
from contest.models.base import json_list, optional_time, primary_key, timestamp


class Contest(SQLModel, table=True):
    __tablename__ = "contests"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'judging', 'finished')", name="status"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
        CheckConstraint("edition IS NULL OR edition >= 1", name="edition"),
        CheckConstraint("max_entries_per_team >= 1", name="max_entries_per_team"),
        CheckConstraint("objection_days BETWEEN 0 AND 30", name="objection_days"),
        CheckConstraint(
            "registration_closes_at IS NULL OR registration_opens_at IS NULL"
            " OR registration_closes_at > registration_opens_at",
            name="registration_window",
        ),
    )

    id: int = primary_key()
    name: str = Field(max_length=200)
    # Optional English name (contest/core/i18n/names.py): English pages use it.
    name_en: str = Field(default="", max_length=200)
    series: str = Field(default="", max_length=100)
    edition: int | None = None
    year: int
    description: str = Field(default="", sa_type=Text)
    # The 主办/承办 units, printed on certificates and announcements.
    organisers: list[str] = json_list()
    status: ContestStatus = Field(default=ContestStatus.draft, sa_type=String(16))
    registration_opens_at: datetime | None = optional_time()
    registration_closes_at: datetime | None = optional_time()
    max_entries_per_team: int = 1
    # Days after a publication during which teams may object (公示期, 异议).
    objection_days: int = 5
    results_published_at: datetime | None = optional_time()
    created_at: datetime = timestamp()


class ContestOrganiser(SQLModel, table=True):
    """Which organiser accounts run which contest, and how: an organiser sees only these.

    `role` is `owner` (who created the contest: the only one who manages the team),
    `organiser` (a co-organiser: every right but the team) or `viewer` (a supervisor,
    监督: reads everything, changes nothing). A contest whose links carry no owner (rows
    written before roles existed, or by scripts) is owned by its first link
    (`setup.team.owner_of`).
    """

    __tablename__ = "contest_organisers"
    __table_args__ = (
        CheckConstraint("role IN ('owner', 'organiser', 'viewer')", name="role"),
    )

    contest_id: int = Field(foreign_key="contests.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True)
    role: TeamRole = Field(default=TeamRole.organiser, sa_type=String(16))
    added_at: datetime = timestamp()


class Track(SQLModel, table=True):
    __tablename__ = "tracks"
    __table_args__ = (
        UniqueConstraint("contest_id", "code"),
        CheckConstraint(
            "max_company_age_years IS NULL OR max_company_age_years >= 1",
            name="max_company_age_years",
        ),
    )

    id: int = primary_key()
    contest_id: int = Field(foreign_key="contests.id", index=True, ondelete="CASCADE")
    code: str = Field(max_length=32)
    name: str = Field(max_length=100)
    name_en: str = Field(default="", max_length=100)
    requires_company: bool = False
    max_company_age_years: int | None = None
    position: int = 0
