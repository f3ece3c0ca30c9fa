"""Shapes for entries and their documents (docs/api.md "Entries").

Required-ness, formats and track rules are checked by contest/entries/eligibility.py, so
that a form or an imported row gets every problem at once, not one at a time;
these shapes only bound lengths and types.
"""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from contest.core.enums import DocumentKind, EntryStatus

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
MAX_MEMBERS = 20
# Members may be typed one per line or separated by Chinese or Latin separators.
MEMBER_SEPARATORS = re.compile(r"[\n\r;；,，、]+")


def split_members(raw: str) -> list[str]:
    return [name.strip() for name in MEMBER_SEPARATORS.split(raw) if name.strip()]


def _clean_members(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [name for name in (item.strip() for item in value) if name]


class EntryFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[Text, Field(max_length=200)] = ""
    summary: Annotated[Text, Field(max_length=5000)] = ""
    field: Annotated[Text, Field(max_length=50)] = ""
    institution: Annotated[Text, Field(max_length=200)] = ""
    city: Annotated[Text, Field(max_length=50)] = ""
    leader_name: Annotated[Text, Field(max_length=50)] = ""
    leader_email: Annotated[Text, Field(max_length=254)] = ""
    leader_phone: Annotated[Text, Field(max_length=32)] = ""
    members: Annotated[
        list[Annotated[Text, Field(max_length=50)]], Field(max_length=MAX_MEMBERS)
    ] = []
    company_name: Annotated[Text, Field(max_length=200)] = ""
    # Room for spaces and dashes people type; eligibility checks the 18 characters.
    credit_code: Annotated[Text, Field(max_length=40)] = ""
    founded_on: date | None = None
    video_url: Annotated[Text, Field(max_length=500)] = ""

    @field_validator("members")
    @classmethod
    def _members(cls, value: list[str]) -> list[str]:
        return _clean_members(value) or []


class EntryCreate(EntryFields):
    """A new entry. `track_code` names the track; a team enters for itself."""

    track_code: Annotated[Text, Field(max_length=32)] = ""


class EntryUpdate(BaseModel):
    """A partial change: only the fields given are changed; `members` replaces the list."""

    model_config = ConfigDict(extra="forbid")

    track_code: Annotated[Text, Field(max_length=32)] | None = None
    title: Annotated[Text, Field(max_length=200)] | None = None
    summary: Annotated[Text, Field(max_length=5000)] | None = None
    field: Annotated[Text, Field(max_length=50)] | None = None
    institution: Annotated[Text, Field(max_length=200)] | None = None
    city: Annotated[Text, Field(max_length=50)] | None = None
    leader_name: Annotated[Text, Field(max_length=50)] | None = None
    leader_email: Annotated[Text, Field(max_length=254)] | None = None
    leader_phone: Annotated[Text, Field(max_length=32)] | None = None
    members: (
        Annotated[list[Annotated[Text, Field(max_length=50)]], Field(max_length=MAX_MEMBERS)] | None
    ) = None
    company_name: Annotated[Text, Field(max_length=200)] | None = None
    credit_code: Annotated[Text, Field(max_length=40)] | None = None
    founded_on: date | None = None
    video_url: Annotated[Text, Field(max_length=500)] | None = None
    reason: Annotated[Text, Field(max_length=1000)] = ""

    @field_validator("members")
    @classmethod
    def _members(cls, value: list[str] | None) -> list[str] | None:
        return _clean_members(value)


class WithdrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[Text, Field(max_length=1000)] = ""


class DocumentPublic(BaseModel):
    id: int
    entry_id: int
    kind: DocumentKind
    filename: str
    size: int
    sha256: str
    uploaded_at: datetime
    replaced_at: datetime | None


class RoundStatus(BaseModel):
    round_id: int
    name: str
    status: EntryStatus
    # False while the round's outcome is not yet published to the team.
    published: bool


class EntryPublic(BaseModel):
    id: int
    contest_id: int
    track_id: int
    track_code: str
    title: str
    summary: str
    field: str
    institution: str
    city: str
    leader_name: str
    leader_email: str
    leader_phone: str
    members: list[str]
    company_name: str
    credit_code: str
    founded_on: date | None
    video_url: str
    owner_id: int | None
    withdrawn: bool
    withdrawn_at: datetime | None
    created_at: datetime
    updated_at: datetime
    documents: list[DocumentPublic]
    rounds: list[RoundStatus]


class ImportResult(BaseModel):
    imported: int
