"""The states and kinds of the domain (SPEC.md section 2)."""

from enum import StrEnum


class Role(StrEnum):
    organiser = "organiser"
    judge = "judge"
    team = "team"


class ContestStatus(StrEnum):
    draft = "draft"
    open = "open"
    judging = "judging"
    finished = "finished"


class RoundKind(StrEnum):
    preliminary = "preliminary"
    semifinal = "semifinal"
    final = "final"


class RoundMode(StrEnum):
    online_review = "online_review"
    roadshow = "roadshow"


class Aggregation(StrEnum):
    trimmed_mean = "trimmed_mean"
    mean = "mean"


class Normalization(StrEnum):
    none = "none"
    zscore = "zscore"


class EntryStatus(StrEnum):
    """An entry's status in one round."""

    in_ = "in"
    advanced = "advanced"
    eliminated = "eliminated"
    withdrawn = "withdrawn"


class SheetState(StrEnum):
    draft = "draft"
    submitted = "submitted"


class DocumentKind(StrEnum):
    business_plan = "business_plan"
    pitch_deck = "pitch_deck"
    other = "other"


class Tier(StrEnum):
    gold = "gold"
    silver = "silver"
    bronze = "bronze"
    excellence = "excellence"


class AwardScope(StrEnum):
    per_track = "per_track"
    overall = "overall"


class LivePhase(StrEnum):
    waiting = "waiting"
    pitching = "pitching"
    scoring = "scoring"
    revealed = "revealed"
    finished = "finished"
