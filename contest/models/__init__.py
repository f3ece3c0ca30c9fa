"""Every table, importable from one place (Alembic and the services use this)."""

from contest.models.awards import AuditRecord, Award, Certificate
from contest.models.base import metadata, table_of, utcnow
from contest.models.contests import Contest, ContestOrganiser, Track
from contest.models.entries import Document, Entry, EntryMember, RoundEntry
from contest.models.investors import Deal, EntryConsent, Interest, Investor
from contest.models.judging import (
    Assignment,
    Conflict,
    ConflictException,
    CriterionScore,
    InstitutionFamily,
    Judge,
    NamedConflict,
    ScoreSheet,
)
from contest.models.notices import Job, OutboxMail
from contest.models.privacy import PrivacyNotice
from contest.models.publications import Objection, Publication
from contest.models.rounds import Advancement, Criterion, Draw, LivePresence, LiveState, Round
from contest.models.users import AccountToken, AuthSession, LoginFailure, User

__all__ = [
    "AccountToken",
    "Advancement",
    "Assignment",
    "AuditRecord",
    "AuthSession",
    "Award",
    "Certificate",
    "Conflict",
    "ConflictException",
    "Contest",
    "ContestOrganiser",
    "Criterion",
    "CriterionScore",
    "Deal",
    "Document",
    "Draw",
    "Entry",
    "EntryConsent",
    "EntryMember",
    "InstitutionFamily",
    "Interest",
    "Investor",
    "Job",
    "Judge",
    "LivePresence",
    "LiveState",
    "LoginFailure",
    "NamedConflict",
    "Objection",
    "PrivacyNotice",
    "OutboxMail",
    "Publication",
    "Round",
    "RoundEntry",
    "ScoreSheet",
    "Track",
    "User",
    "metadata",
    "table_of",
    "utcnow",
]
