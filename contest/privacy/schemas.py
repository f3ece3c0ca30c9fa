"""Shapes of privacy notices and personal-data erasure (docs/api.md "Personal information")."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from contest.consent.service import MAX_TEXT, Notice


class NoticePublic(BaseModel):
    contest_id: int | None
    version: int
    text_zh: str
    text_en: str
    # Null while a contest uses the default text, not edited yet.
    created_at: datetime | None
    edited: bool

    @classmethod
    def of(cls, notice: Notice, contest_id: int | None) -> "NoticePublic":
        return cls(
            contest_id=contest_id,
            version=notice.version,
            text_zh=notice.text_zh,
            text_en=notice.text_en,
            created_at=notice.created_at,
            edited=notice.edited,
        )


class NoticeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text_zh: Annotated[str, Field(max_length=MAX_TEXT)]
    text_en: Annotated[str, Field(max_length=MAX_TEXT)] = ""


class EraseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(max_length=1000)] = ""


class EraseResult(BaseModel):
    entry_ids: list[int]
    kept_for_certificates: list[int]
    documents_removed: int
    mails_removed: int
    account_erased: bool
