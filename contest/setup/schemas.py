"""Shapes for contest set-up: contests, tracks, rounds and their rubric, judges."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from contest.core.enums import Aggregation, ContestStatus, Normalization, RoundKind, RoundMode
from contest.core.i18n import N_, _
from contest.core.validation import email_address, in_contest_years, invalid, not_null
from contest.models import Criterion, Judge, Round, User
from scoring import points

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# Registration and scoring windows: aware, and within 2000..2100.
ContestTime = Annotated[AwareDatetime, AfterValidator(in_contest_years)]
Organisers = Annotated[list[Annotated[Text, Field(max_length=200)]], Field(max_length=20)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True)]
# The optional English name of a track, round or criterion (contest/core/i18n/names.py):
# empty means English pages show the Chinese name.
EnglishName = Annotated[OptionalText, Field(max_length=100)]

# docs/rules.md section 4, flow 1: the rubric offered by default, 100 points in all.
DEFAULT_RUBRIC: tuple[tuple[str, str, int, int | None], ...] = (
    (
        N_("Technology and innovation"),
        N_("Originality, technical barriers, intellectual property"),
        30,
        1,
    ),
    (
        N_("Market and business model"),
        N_("Market size, customers, revenue model, competition"),
        25,
        2,
    ),
    (N_("Team"), N_("Experience, completeness and commitment of the team"), 20, 3),
    (
        N_("Progress and feasibility"),
        N_("Development stage, clinical or regulatory path, plan and funding"),
        15,
        None,
    ),
    (
        N_("Social and clinical value"),
        N_("Benefit to patients, public health and society"),
        10,
        None,
    ),
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _window(opens: datetime | None, closes: datetime | None, field: str) -> None:
    if opens is not None and closes is not None and closes <= opens:
        raise invalid("window", _("The end must come after the start."), field=field)


class ContestCreate(Strict):
    name: Annotated[Text, Field(max_length=200)]
    name_en: Annotated[OptionalText, Field(max_length=200)] = ""
    year: Annotated[int, Field(ge=2000, le=2100)]
    edition: Annotated[int, Field(ge=1, le=1000)] | None = None
    series: Annotated[OptionalText, Field(max_length=100)] = ""
    description: Annotated[OptionalText, Field(max_length=5000)] = ""
    organisers: Organisers = []
    registration_opens_at: ContestTime | None = None
    registration_closes_at: ContestTime | None = None
    max_entries_per_team: Annotated[int, Field(ge=1, le=100)] = 1
    # Days of the objection window (公示期) each publication opens.
    objection_days: Annotated[int, Field(ge=0, le=30)] = 5

    @model_validator(mode="after")
    def _check_window(self) -> Self:
        _window(self.registration_opens_at, self.registration_closes_at, "registration_closes_at")
        return self


class ContestUpdate(Strict):
    name: Annotated[Text, Field(max_length=200)] | None = None
    name_en: Annotated[OptionalText, Field(max_length=200)] | None = None
    year: Annotated[int, Field(ge=2000, le=2100)] | None = None
    edition: Annotated[int, Field(ge=1, le=1000)] | None = None
    series: Annotated[OptionalText, Field(max_length=100)] | None = None
    description: Annotated[OptionalText, Field(max_length=5000)] | None = None
    organisers: Organisers | None = None
    registration_opens_at: ContestTime | None = None
    registration_closes_at: ContestTime | None = None
    max_entries_per_team: Annotated[int, Field(ge=1, le=100)] | None = None
    objection_days: Annotated[int, Field(ge=0, le=30)] | None = None
    status: ContestStatus | None = None

    @field_validator(
        "name",
        "name_en",
        "year",
        "series",
        "description",
        "organisers",
        "max_entries_per_team",
        "objection_days",
        "status",
        mode="before",
    )
    @classmethod
    def _present(cls, value: object) -> object:
        return not_null(value)


class ContestPublic(BaseModel):
    id: int
    name: str
    name_en: str
    year: int
    edition: int | None
    series: str
    description: str
    organisers: list[str]
    status: ContestStatus
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    max_entries_per_team: int
    objection_days: int


TrackCode = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,31}$"
    ),
]


class TrackCreate(Strict):
    code: TrackCode
    name: Annotated[Text, Field(max_length=100)]
    name_en: EnglishName = ""
    requires_company: bool = False
    max_company_age_years: Annotated[int, Field(ge=1, le=100)] | None = None

    @model_validator(mode="after")
    def _age_needs_company(self) -> Self:
        if self.max_company_age_years is not None and not self.requires_company:
            raise invalid(
                "company_age",
                _("A company age limit only applies to a track that requires a company."),
            )
        return self


class TrackUpdate(Strict):
    name: Annotated[Text, Field(max_length=100)] | None = None
    name_en: EnglishName | None = None
    requires_company: bool | None = None
    max_company_age_years: Annotated[int, Field(ge=1, le=100)] | None = None

    @field_validator("name", "name_en", "requires_company", mode="before")
    @classmethod
    def _present(cls, value: object) -> object:
        return not_null(value)


class TrackPublic(BaseModel):
    id: int
    contest_id: int
    code: str
    name: str
    name_en: str
    requires_company: bool
    max_company_age_years: int | None


def _one_decimal(value: Decimal, field: str) -> Decimal:
    if value != value.quantize(Decimal("0.1")):
        raise invalid("decimal_places", _("Use at most one decimal place."), field=field)
    return value


class CriterionIn(Strict):
    name: Annotated[Text, Field(max_length=100)]
    name_en: EnglishName = ""
    description: Annotated[OptionalText, Field(max_length=1000)] = ""
    max_score: Annotated[Decimal, Field(gt=0, le=1000)]
    tiebreak_priority: Annotated[int, Field(ge=1, le=100)] | None = None

    @field_validator("max_score")
    @classmethod
    def _tenths(cls, value: Decimal) -> Decimal:
        return _one_decimal(value, "max_score")


def default_rubric() -> list[CriterionIn]:
    return [
        CriterionIn(
            name=_(name),
            name_en=name,
            description=_(description),
            max_score=Decimal(points),
            tiebreak_priority=priority,
        )
        for name, description, points, priority in DEFAULT_RUBRIC
    ]


class RoundSettings(Strict):
    """Every setting of docs/rules.md section 3, with its defaults."""

    mode: RoundMode | None = None
    opens_at: ContestTime | None = None
    closes_at: ContestTime | None = None
    judges_per_entry: Annotated[int, Field(ge=1, le=100)] = 5
    aggregation: Aggregation = Aggregation.trimmed_mean
    trim_min_judges: Annotated[int, Field(ge=3, le=100)] = 5
    normalization: Normalization = Normalization.none
    carry_over_weight: Annotated[Decimal, Field(ge=0, lt=1, decimal_places=4)] = Decimal(0)
    blind: bool = False
    advance_count: dict[str, Annotated[int, Field(ge=0, le=100000)]] = {}
    pitch_seconds: Annotated[int, Field(ge=30, le=7200)] = 480
    qa_seconds: Annotated[int, Field(ge=0, le=7200)] = 420

    @model_validator(mode="after")
    def _check_window(self) -> Self:
        _window(self.opens_at, self.closes_at, "closes_at")
        return self


def _check_rubric(criteria: list[CriterionIn]) -> list[CriterionIn]:
    names = [c.name.casefold() for c in criteria]
    if len(set(names)) != len(names):
        raise invalid("duplicate", _("Each criterion needs a different name."))
    priorities = [c.tiebreak_priority for c in criteria if c.tiebreak_priority is not None]
    if len(set(priorities)) != len(priorities):
        raise invalid("duplicate", _("Two criteria cannot share a tie-break priority."))
    return criteria


class RoundCreate(RoundSettings):
    name: Annotated[Text, Field(max_length=100)]
    name_en: EnglishName = ""
    kind: RoundKind
    order: Annotated[int, Field(ge=1, le=20)]
    criteria: Annotated[list[CriterionIn], Field(min_length=1, max_length=30)] | None = None

    @field_validator("criteria")
    @classmethod
    def _rubric(cls, value: list[CriterionIn] | None) -> list[CriterionIn] | None:
        return _check_rubric(value) if value is not None else None


class RoundUpdate(Strict):
    name: Annotated[Text, Field(max_length=100)] | None = None
    name_en: EnglishName | None = None
    mode: RoundMode | None = None
    opens_at: ContestTime | None = None
    closes_at: ContestTime | None = None
    judges_per_entry: Annotated[int, Field(ge=1, le=100)] | None = None
    aggregation: Aggregation | None = None
    trim_min_judges: Annotated[int, Field(ge=3, le=100)] | None = None
    normalization: Normalization | None = None
    carry_over_weight: Annotated[Decimal, Field(ge=0, lt=1, decimal_places=4)] | None = None
    blind: bool | None = None
    advance_count: dict[str, Annotated[int, Field(ge=0, le=100000)]] | None = None
    pitch_seconds: Annotated[int, Field(ge=30, le=7200)] | None = None
    qa_seconds: Annotated[int, Field(ge=0, le=7200)] | None = None
    criteria: Annotated[list[CriterionIn], Field(min_length=1, max_length=30)] | None = None

    @field_validator("criteria")
    @classmethod
    def _rubric(cls, value: list[CriterionIn] | None) -> list[CriterionIn] | None:
        return _check_rubric(value) if value is not None else None

    @field_validator(
        "name",
        "name_en",
        "judges_per_entry",
        "aggregation",
        "trim_min_judges",
        "normalization",
        "carry_over_weight",
        "blind",
        "advance_count",
        "pitch_seconds",
        "qa_seconds",
        mode="before",
    )
    @classmethod
    def _present(cls, value: object) -> object:
        return not_null(value)


class CriterionPublic(BaseModel):
    id: int
    name: str
    name_en: str
    description: str
    max_score: float
    tiebreak_priority: int | None


class RoundPublic(BaseModel):
    id: int
    contest_id: int
    name: str
    name_en: str
    kind: RoundKind
    order: int
    mode: RoundMode
    opens_at: datetime | None
    closes_at: datetime | None
    is_open: bool
    judges_per_entry: int
    aggregation: Aggregation
    trim_min_judges: int
    normalization: Normalization
    carry_over_weight: float
    blind: bool
    advance_count: dict[str, int]
    pitch_seconds: int
    qa_seconds: int
    criteria: list[CriterionPublic]

    @classmethod
    def of(cls, round_: Round, criteria: Sequence[Criterion], *, is_open: bool) -> "RoundPublic":
        return cls(
            id=round_.id,
            contest_id=round_.contest_id,
            name=round_.name,
            name_en=round_.name_en,
            kind=round_.kind,
            order=round_.position,
            mode=round_.mode,
            opens_at=round_.opens_at,
            closes_at=round_.closes_at,
            is_open=is_open,
            judges_per_entry=round_.judges_per_entry,
            aggregation=round_.aggregation,
            trim_min_judges=round_.trim_min_judges,
            normalization=round_.normalization,
            carry_over_weight=float(round_.carry_over_weight),
            blind=round_.blind,
            advance_count=round_.advance_count,
            pitch_seconds=round_.pitch_seconds,
            qa_seconds=round_.qa_seconds,
            criteria=[
                CriterionPublic(
                    id=c.id,
                    name=c.name,
                    name_en=c.name_en,
                    description=c.description,
                    max_score=points(c.max_tenths),
                    tiebreak_priority=c.tiebreak_priority,
                )
                for c in criteria
            ],
        )


class CompanyTie(Strict):
    """A company a judge is tied to (employer, board seat, investment)."""

    name: Annotated[Text, Field(max_length=200)]
    credit_code: Annotated[OptionalText, Field(max_length=18)] = ""


# Declarations are bounded: a real judge has a few affiliations and companies.
Affiliations = Annotated[list[Annotated[Text, Field(max_length=200)]], Field(max_length=20)]
Companies = Annotated[list[CompanyTie], Field(max_length=50)]


Expertise = Annotated[list[Annotated[Text, Field(max_length=50)]], Field(max_length=20)]


class JudgeCreate(Strict):
    email: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254)]
    name: Annotated[Text, Field(max_length=100)]
    institution: Annotated[OptionalText, Field(max_length=200)] = ""
    password: Annotated[str, Field(max_length=200)] = ""
    title: Annotated[OptionalText, Field(max_length=100)] = ""
    expertise: Annotated[list[Annotated[Text, Field(max_length=50)]], Field(max_length=20)] = []
    affiliations: Affiliations = []
    companies: Companies = []

    _email = field_validator("email")(email_address)


class JudgeUpdate(Strict):
    """A judge's details as the organiser corrects them; omitted fields stay."""

    name: Annotated[Text, Field(max_length=100)] | None = None
    institution: Annotated[OptionalText, Field(max_length=200)] | None = None
    title: Annotated[OptionalText, Field(max_length=100)] | None = None
    expertise: Expertise | None = None

    @field_validator("name", "institution", "title", "expertise", mode="before")
    @classmethod
    def _present(cls, value: object) -> object:
        return not_null(value)


class JudgeLeave(Strict):
    """Why a judge is deactivated or removed (kept in the audit log)."""

    reason: Annotated[OptionalText, Field(max_length=1000)] = ""


class JudgePublic(BaseModel):
    id: int
    contest_id: int
    user_id: int
    email: str
    name: str
    institution: str
    title: str
    expertise: list[str]
    affiliations: list[str]
    companies: list[dict[str, str]]
    active: bool = True

    @classmethod
    def of(cls, judge: Judge, user: User) -> "JudgePublic":
        return cls(
            id=judge.id,
            contest_id=judge.contest_id,
            user_id=user.id,
            email=user.email,
            name=user.name,
            institution=judge.institution,
            title=judge.title,
            expertise=judge.expertise,
            affiliations=judge.affiliations,
            companies=judge.companies,
            active=judge.active,
        )


class ConflictCreate(Strict):
    entry_id: int
    reason: Annotated[OptionalText, Field(max_length=1000)] = ""


class ConflictPublic(BaseModel):
    id: int
    judge_id: int
    entry_id: int
    reason: str
