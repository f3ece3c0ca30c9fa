"""Shapes for awards (docs/api.md "Results, advancement, awards")."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from contest.core.i18n import _
from contest.core.validation import invalid, is_ascii_number

TierName = Literal["gold", "silver", "bronze", "excellence"]
Count = Annotated[int, Field(ge=0, le=10_000)]
CustomName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TierCount(Strict):
    tier: TierName
    count: Count


def default_tiers() -> list[TierCount]:
    return [
        TierCount(tier="gold", count=1),
        TierCount(tier="silver", count=2),
        TierCount(tier="bronze", count=3),
    ]


class AwardsIn(Strict):
    scope: Literal["per_track", "overall"] = "per_track"
    tiers: list[TierCount] = Field(default_factory=default_tiers)
    # entry id -> tier (or null: no award) for the entries of a tie across a boundary.
    resolve: dict[str, TierName | None] = Field(default_factory=dict)
    # tier -> a name printed instead of the tier's own (e.g. "最佳人气奖").
    custom_names: dict[TierName, CustomName] = Field(default_factory=dict)
    # tier -> the English of that name, for English pages, certificates and exports
    # (empty: English shows the Chinese custom name).
    custom_names_en: dict[TierName, CustomName] = Field(default_factory=dict)
    # Why a tie was settled as it was; kept in the audit log.
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] = ""
    # Only compute the allocation; save nothing (ids are null).
    dry_run: bool = False

    @field_validator("tiers")
    @classmethod
    def _each_tier_once(cls, value: list[TierCount]) -> list[TierCount]:
        names = [item.tier for item in value]
        if len(names) != len(set(names)):
            raise invalid("duplicate_tier", _("Give each award tier at most once."))
        return value

    @field_validator("custom_names_en")
    @classmethod
    def _english_of_a_name(
        cls, value: dict[str, str], info: ValidationInfo
    ) -> dict[str, str]:
        chinese = info.data.get("custom_names") or {}
        if any(name and not chinese.get(tier) for tier, name in value.items()):
            raise invalid(
                "english_without_name",
                _("An English award name translates a custom name: give the custom name too."),
            )
        return value

    @field_validator("resolve")
    @classmethod
    def _entry_ids(cls, value: dict[str, str | None]) -> dict[str, str | None]:
        if any(not is_ascii_number(key, 9) for key in value):
            raise invalid("entry_id", _("Name projects by their number."))
        return value


class AwardOut(BaseModel):
    id: int | None
    entry_id: int
    tier: TierName
    track_code: str
    rank: int | None
    title: str
    custom_name: str
    custom_name_en: str = ""
    scope: Literal["per_track", "overall"]
    published_at: datetime | None = None
    certificate_code: str | None = None
    issued_on: date | None = None
