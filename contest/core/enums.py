"""The states and kinds of the domain (docs/rules.md section 2).

The scoring rules' own enums (aggregation, normalisation, award tiers) belong to
`scoring/`, which imports nothing of ours; they are re-exported here so the rest of the
application finds every enum in one place.
"""

from enum import StrEnum

from scoring.types import Aggregation, Normalization, Tier

__all__ = [
    "Aggregation",
    "AwardScope",
    "ContestStatus",
    "DocumentKind",
    "EntryStatus",
    "InterestLevel",
    "DealKind",
    "LivePhase",
    "Normalization",
    "Role",
    "RoundKind",
    "RoundMode",
    "SheetState",
    "TeamRole",
    "Tier",
]


class Role(StrEnum):
    organiser = "organiser"
    judge = "judge"
    team = "team"
    investor = "investor"


class TeamRole(StrEnum):
    """A person's place in a contest's organiser team (contest_organisers.role)."""

    owner = "owner"
    organiser = "organiser"
    viewer = "viewer"


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


class AwardScope(StrEnum):
    per_track = "per_track"
    overall = "overall"


class LivePhase(StrEnum):
    waiting = "waiting"
    pitching = "pitching"
    scoring = "scoring"
    revealed = "revealed"
    finished = "finished"


class InterestLevel(StrEnum):
    """An investor's mark on a project, weakest first."""

    watch = "watch"
    meet = "meet"
    intent = "intent"


class DealKind(StrEnum):
    investment_intent = "investment_intent"
    investment = "investment"
    incubation = "incubation"
    partnership = "partnership"
    grant = "grant"
