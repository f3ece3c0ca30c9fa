"""Request and response shapes of the investors feature (docs/api.md "Investors")."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from contest.core.enums import DealKind, InterestLevel
from contest.core.i18n import _
from contest.core.validation import email_address, invalid

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True)]
# 万元 with at most two decimals; a hundred billion yuan is far beyond any deal here.
AmountWan = Annotated[Decimal, Field(ge=0, le=Decimal("10000000"), decimal_places=2)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StakeIn(Strict):
    name: Annotated[Text, Field(max_length=200)]
    credit_code: Annotated[OptionalText, Field(max_length=18)] = ""


class InvestorCreate(Strict):
    email: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254)]
    name: Annotated[Text, Field(max_length=100)]
    organisation: Annotated[Text, Field(max_length=200)]
    password: Annotated[str, Field(max_length=200)] = ""
    stakes: Annotated[list[StakeIn], Field(max_length=20)] = []

    _email = field_validator("email")(email_address)


class StakesIn(Strict):
    stakes: Annotated[list[StakeIn], Field(max_length=20)]


class InvestorPublic(BaseModel):
    id: int
    contest_id: int
    user_id: int
    email: str
    name: str
    organisation: str
    role: str = "investor"
    stakes: list[StakeIn]
    marks: int = 0
    # Set once, in the invitation's answer, when the account was created here without a
    # password and no mail server is configured: the set-password link (7 days) to hand
    # over. Never a password: no organiser sees or chooses an investor's password.
    invitation_link: str | None = None


class ShowcaseItem(BaseModel):
    entry_id: int
    title: str
    track_code: str
    track_name: str
    summary: str
    field: str
    institution: str
    city: str
    stage: str
    tier: str | None
    business_plan: bool
    conflict: bool
    conflict_reason: str | None = None
    level: str | None
    note: str | None


class InterestIn(Strict):
    level: InterestLevel
    note: Annotated[OptionalText, Field(max_length=2000)] = ""


class InterestPublic(BaseModel):
    entry_id: int
    level: str
    note: str
    at: datetime


class LeadPublic(BaseModel):
    entry_id: int
    title: str
    investor_id: int
    investor_name: str
    organisation: str
    level: str
    note: str
    at: datetime
    conflict: bool


class ConsentIn(Strict):
    share_business_plan: bool = False
    contact: bool = False
    publish_deals: bool = False


class ConsentPublic(BaseModel):
    entry_id: int
    share_business_plan: bool
    contact: bool
    publish_deals: bool


class TeamInterestPublic(BaseModel):
    """What a team sees of the interest in it: organisations, never notes."""

    contact: bool
    organisations: list[dict[str, str]]


class DealCreate(Strict):
    kind: DealKind
    partner: Annotated[Text, Field(max_length=200)]
    amount_wan: AmountWan | None = None
    signed_on: date
    note: Annotated[OptionalText, Field(max_length=2000)] = ""
    public: bool = False

    @field_validator("signed_on")
    @classmethod
    def _in_years(cls, value: date) -> date:
        if not 2000 <= value.year <= 2100:
            raise invalid("year", _("The date must lie between 2000 and 2100."))
        return value


class DealWithdraw(Strict):
    reason: Annotated[Text, Field(max_length=2000)]


class DealPublic(BaseModel):
    id: int
    entry_id: int
    title: str
    kind: str
    partner: str
    amount_wan: float | None
    signed_on: date
    note: str | None
    public: bool
    document: bool
    withdrawn_at: datetime | None = None


class PipelineStage(BaseModel):
    stage: str
    entry_ids: list[int]


class FollowUpPublic(BaseModel):
    pipeline: list[PipelineStage]
    counts: dict[str, float | int]
