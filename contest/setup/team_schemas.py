"""Shapes of a contest's organiser team in the API."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, field_validator

from contest.core.enums import TeamRole
from contest.core.validation import email_address
from contest.setup.team import Member


class TeamMemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254)]
    # The owner is whoever created the contest: nobody is added as one.
    role: Literal["organiser", "viewer"]

    _email = field_validator("email")(email_address)


class TeamMemberPublic(BaseModel):
    user_id: int
    email: str
    name: str
    # "organiser" (the owner too) or "viewer"; `owner` says who manages the team.
    role: Literal["organiser", "viewer"]
    owner: bool
    added_at: datetime

    @classmethod
    def of(cls, member: Member) -> "TeamMemberPublic":
        return cls(
            user_id=member.user.id,
            email=member.user.email,
            name=member.user.name,
            role="viewer" if member.link.role == TeamRole.viewer else "organiser",
            owner=member.owner,
            added_at=member.link.added_at,
        )
