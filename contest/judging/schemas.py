"""Shapes for judging: assignments, score sheets, reopening, progress."""

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contest.core.i18n import _
from contest.core.validation import invalid
from contest.setup.schemas import Affiliations, Companies, JudgePublic

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
# Seeds are stored in the audit log (JSON): keep them within a signed 64-bit integer.
Seed = Annotated[int, Field(ge=0, le=2**63 - 1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AutoAssignIn(Strict):
    seed: Seed | None = None
    # Keep unstarted automatic assignments where they are unless balance needs them moved.
    rebalance: bool = False


class AutoAssignOut(BaseModel):
    assignments: int
    added: int
    kept: int
    replaced: int
    seed: int
    min_load: int
    max_load: int


class AssignmentIn(Strict):
    judge_id: int
    entry_id: int


class AssignmentPublic(BaseModel):
    judge_id: int
    entry_id: int
    source: str


class RecuseIn(Strict):
    # Checked by the service (assignment.recusal_reason), as for the page's form; the
    # bound here only keeps the body small.
    reason: Annotated[str, Field(max_length=10_000)]


class RecuseOut(BaseModel):
    # The judge who took the entry over; null when nobody eligible was free.
    replacement_judge_id: int | None


class SheetIn(Strict):
    # Values are checked by the service (Decimal of the JSON number, 0..max, steps of 0.1)
    # so that every problem is reported as scores.<criterion_id>.
    scores: dict[str, Any]
    # Feedback to the team: teams read it (unsigned) once the organisers publish the
    # round's feedback. Omitted: the stored text stays.
    comment: Annotated[str, Field(max_length=5000)] | None = None
    # A note to the committee: organisers read it, teams never do. Omitted: kept.
    committee_note: Annotated[str, Field(max_length=5000)] | None = None
    submit: bool = False


SheetStateName = Literal["todo", "draft", "submitted"]


class SheetOut(BaseModel):
    state: SheetStateName
    total: float
    scores: dict[str, float]
    comment: str
    committee_note: str = ""
    revision: int
    updated_at: datetime | None
    submitted_at: datetime | None


class MyAssignment(BaseModel):
    round_id: int
    entry_id: int
    title: str
    track_code: str
    state: SheetStateName
    total: float | None


class ReopenIn(Strict):
    judge_id: int
    entry_id: int
    reason: Reason


class JudgeProgress(BaseModel):
    judge_id: int
    name: str
    email: str
    institution: str
    assigned: int
    submitted: int
    drafts: int
    last_activity: datetime | None


class RoundProgress(BaseModel):
    sheets_expected: int
    sheets_submitted: int
    sheets_draft: int
    entries: int
    entries_complete: int
    entries_short_of_judges: int
    judges: list[JudgeProgress]


class RemindersOut(BaseModel):
    queued: int


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class FamilyIn(Strict):
    members: Annotated[list[Name], Field(min_length=2, max_length=50)]


class FamilyPublic(BaseModel):
    id: int
    contest_id: int
    members: list[str]


class ExceptionIn(Strict):
    judge_id: int
    entry_id: int
    reason: Reason


class ExceptionPublic(BaseModel):
    judge_id: int
    entry_id: int
    reason: str


class ConflictLine(BaseModel):
    judge_id: int
    entry_id: int
    reason: str
    kind: str
    exception: str | None
    assigned: bool
    judge_name: str
    entry_title: str


class DeclaredConflict(Strict):
    """A conflict a judge declares: with an institution, a company (by credit code) or
    one entry; the reason is required."""

    institution: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    credit_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=18)] = ""
    entry_id: int | None = None
    reason: Reason

    @model_validator(mode="after")
    def _names_something(self) -> Self:
        if not (self.institution or self.credit_code or self.entry_id is not None):
            raise invalid("conflict_target", _("Name an institution, a credit code or an entry."))
        return self


class DeclarationsIn(Strict):
    affiliations: Affiliations = []
    companies: Companies = []
    conflicts: Annotated[list[DeclaredConflict], Field(max_length=50)] = []


class DeclaredConflictOut(BaseModel):
    institution: str
    credit_code: str
    entry_id: int | None
    reason: str


class ReleasedOut(BaseModel):
    round_id: int
    entry_id: int
    replacement_judge_id: int | None


class DeclarationsOut(BaseModel):
    judge_id: int
    contest_id: int
    affiliations: list[str]
    companies: list[dict[str, str]]
    conflicts: list[DeclaredConflictOut]
    declared_at: datetime | None
    # Assignments this save took away (and who took them over); empty on a read.
    released: list[ReleasedOut] = []


class JudgeChangeOut(JudgePublic):
    """A judge after a change, with the assignments it handed to other judges."""

    released: list[ReleasedOut] = []


class JudgeRemovedOut(BaseModel):
    removed_judge_id: int
    released: list[ReleasedOut]
