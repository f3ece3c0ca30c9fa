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


class EntryCreateRequest(EntryCreate):
    """The API's create body: once a round has opened the entries are sealed, and an
    organiser adding one says why (``late_reason``, audited)."""

    late_reason: Annotated[Text, Field(max_length=1000)] = ""
    # The team agreed to the contest's privacy notice (GET .../privacy-notice); false is
    # refused (422), and so is no answer when TIANJIAO_REQUIRE_API_CONSENT is set.
    privacy_consent: bool | None = None


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
    # Null for a judge of a blind round (contest/judging/blind.py), and the contact
    # details for every judge.
    institution: str | None
    city: str | None
    leader_name: str | None
    leader_email: str | None
    leader_phone: str | None
    members: list[str] | None
    company_name: str | None
    credit_code: str | None
    founded_on: date | None
    video_url: str | None
    owner_id: int | None
    withdrawn: bool
    withdrawn_at: datetime | None
    # The contest's privacy notice version the team agreed to, and when (null: none
    # recorded, e.g. imported entries); hidden from judges.
    privacy_version: int | None = None
    privacy_consented_at: datetime | None = None
    # Set once an organiser erased the team's personal data after the contest.
    personal_data_erased_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    documents: list[DocumentPublic]
    rounds: list[RoundStatus]


class ImportResult(BaseModel):
    imported: int
