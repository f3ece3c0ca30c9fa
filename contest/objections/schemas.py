"""Shapes for publications and objections (docs/api.md "Publication, objections and
sealed rounds")."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contest.models import Objection
from contest.objections.service import PublicationView

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PublicationOut(BaseModel):
    id: int
    kind: Literal["advancement", "awards"]
    round_id: int | None
    version: int
    published_at: datetime
    withdrawn_at: datetime | None
    withdraw_reason: str | None
    objections_close_at: datetime
    final: bool
    open_objections: int

    @classmethod
    def of(cls, view: PublicationView) -> "PublicationOut":
        p = view.item
        return cls(
            id=p.id,
            kind=p.kind,  # type: ignore[arg-type]
            round_id=p.round_id,
            version=p.version,
            published_at=p.published_at,
            withdrawn_at=p.withdrawn_at,
            withdraw_reason=p.withdraw_reason,
            objections_close_at=p.objections_close_at,
            final=view.final,
            open_objections=view.open_objections,
        )


class WithdrawIn(Strict):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ObjectionIn(Strict):
    publication_id: int
    entry_id: int | None = None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class DecideIn(Strict):
    decision: Literal["upheld", "rejected"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class AnswerIn(Strict):
    answer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]


class ObjectionOut(BaseModel):
    id: int
    contest_id: int
    publication_id: int
    entry_id: int | None
    reason: str
    state: Literal["open", "upheld", "rejected"]
    answer: str
    decision_reason: str | None
    decided_at: datetime | None
    created_at: datetime
    document: str | None = Field(default=None, description="The evidence PDF's file name.")

    @classmethod
    def of(cls, item: Objection) -> "ObjectionOut":
        return cls(
            id=item.id,
            contest_id=item.contest_id,
            publication_id=item.publication_id,
            entry_id=item.entry_id,
            reason=item.reason,
            state=item.state,  # type: ignore[arg-type]
            answer=item.answer,
            decision_reason=item.decision_reason,
            decided_at=item.decided_at,
            created_at=item.created_at,
            document=item.document_name,
        )
