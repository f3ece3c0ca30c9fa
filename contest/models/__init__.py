"""Every table, importable from one place (Alembic and the services use this)."""

from contest.models.awards import AuditRecord, Award, Certificate
from contest.models.base import metadata, table_of, utcnow
from contest.models.contests import Contest, ContestOrganiser, Track
from contest.models.entries import Document, Entry, EntryMember, RoundEntry
from contest.models.judging import Assignment, Conflict, CriterionScore, Judge, ScoreSheet
from contest.models.rounds import Advancement, Criterion, Draw, LiveState, Round
from contest.models.users import AuthSession, LoginFailure, User

__all__ = [
    "Advancement",
    "Assignment",
    "AuditRecord",
    "AuthSession",
    "Award",
    "Certificate",
    "Conflict",
    "Contest",
    "ContestOrganiser",
    "Criterion",
    "CriterionScore",
    "Document",
    "Draw",
    "Entry",
    "EntryMember",
    "Judge",
    "LiveState",
    "LoginFailure",
    "Round",
    "RoundEntry",
    "ScoreSheet",
    "Track",
    "User",
    "metadata",
    "table_of",
    "utcnow",
]
