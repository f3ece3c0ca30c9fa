"""Public verification of a certificate by its code (docs/rules.md section 5).

Anyone may check a code: the answer is what the certificate itself prints (contest,
award, project, people, issue date) and whether it was revoked, nothing more. Codes
are matched the way people type them: in any case, with spaces or dashes anywhere,
in full-width characters from a Chinese input method.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, SQLColumnExpression, func, select
from sqlmodel import Session, col

from contest.awards.certificate_pdf import TIER_STYLES
from contest.entries.views import members_by_entry
from contest.models import Award, Certificate, Contest, Entry, Track

# Separators people type or that a PDF viewer copies along with a code.
SEPARATORS = re.compile(r"[\s\-_.·‐‑‒–—―]+")
MAX_CODE_LENGTH = 64


def canonical(text: str) -> str:
    """A code as compared: NFKC (full-width -> ASCII), no separators, upper case."""
    return SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()[:MAX_CODE_LENGTH]


def _canonical_column() -> ColumnElement[str]:
    column: SQLColumnExpression[str] = col(Certificate.code)
    for separator in ("-", "_", " ", "."):
        column = func.replace(column, separator, "")
    return func.upper(column)


def find_certificate(db: Session, text: str) -> tuple[Certificate, Award] | None:
    """The certificate a typed code means, or None. An exact code (a QR scan) is found
    through the unique index; anything else is compared in canonical form."""
    typed = text.strip()[:MAX_CODE_LENGTH]
    wanted = canonical(typed)
    if not wanted:
        return None
    base = select(Certificate, Award).join(Award, col(Award.id) == Certificate.award_id)
    for statement in (
        base.where(col(Certificate.code).in_({typed, wanted})),
        base.where(_canonical_column() == wanted),
    ):
        row = db.execute(statement.limit(2)).all()
        if len(row) == 1:
            return row[0]
    return None


@dataclass(frozen=True)
class Verification:
    """What a verification shows: the certificate's own text and its state."""

    code: str
    revoked_at: datetime | None
    issued_on: date
    contest: str
    organisers: Sequence[str]
    tier: str
    tier_zh: str
    tier_en: str
    custom_name: str
    track: str
    title: str
    leader: str
    members: Sequence[str]
    institution: str
    # The English names the certificate prints (empty where none is set).
    contest_en: str = ""
    custom_name_en: str = ""
    track_en: str = ""

    @property
    def valid(self) -> bool:
        return self.revoked_at is None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def award_name(self) -> str:
        """As printed: the custom name, else the tier in Chinese and English."""
        return self.custom_name or f"{self.tier_zh} {self.tier_en}"


def verify(db: Session, text: str) -> Verification | None:
    """Look a typed code up; None when no certificate has it (or the award is unpublished)."""
    found = find_certificate(db, text)
    if found is None:
        return None
    certificate, award = found
    if award.published_at is None:
        return None
    entry = db.get(Entry, award.entry_id)
    contest = db.get(Contest, award.contest_id)
    assert entry is not None
    assert contest is not None
    track = db.get(Track, entry.track_id)
    style = TIER_STYLES[award.tier]
    return Verification(
        code=certificate.code,
        revoked_at=certificate.revoked_at,
        issued_on=certificate.issued_on,
        contest=contest.name,
        organisers=list(contest.organisers),
        tier=award.tier,
        tier_zh=style.zh,
        tier_en=style.en,
        custom_name=award.custom_name,
        track=track.name if track else "",
        title=entry.title,
        leader=entry.leader_name,
        members=members_by_entry(db, [entry.id]).get(entry.id, []),
        institution=entry.institution,
        contest_en=contest.name_en,
        custom_name_en=award.custom_name_en if award.custom_name else "",
        track_en=track.name_en if track else "",
    )
