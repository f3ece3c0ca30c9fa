"""Certificates (docs/rules.md section 5): what each one shows, who may download it, revocation.

A certificate exists only for a published award (contest/awards/service.py creates it when the
awards are published). It can be downloaded by the contest's organisers and by the team
that owns the entry; anyone else gets a 404, exactly as if it did not exist. A revoked
certificate is not rendered any more (the API answers 410 Gone): a PDF in circulation
must not gain a fresh copy, and /verify/{code} tells anyone who checks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlmodel import Session, col

from contest.awards import service as awards
from contest.awards.certificate_pdf import TIER_STYLES, CertificateData
from contest.awards.verification import find_certificate
from contest.core import audit
from contest.core.db import changed_rows
from contest.core.errors import InvalidInput, NotFound, StateConflict
from contest.core.i18n import _
from contest.entries.access import owns_entry
from contest.entries.views import members_by_entry
from contest.kit.tables import safe_filename
from contest.models import Award, Certificate, Contest, Entry, User, utcnow
from contest.setup.access import organises

REASON_MAX = 500


def verify_url(base_url: str, code: str) -> str:
    """What the QR code opens: the public verification page of this certificate."""
    return f"{base_url.rstrip('/')}/verify/{code}"


@dataclass(frozen=True)
class CertificateLine:
    """A certificate with its award as contest/awards/service.py lists it (track, title, people)."""

    certificate: Certificate
    line: awards.AwardLine

    @property
    def award(self) -> Award:
        return self.line.award

    @property
    def revoked(self) -> bool:
        return self.certificate.revoked_at is not None


def contest_certificates(db: Session, contest_id: int) -> list[CertificateLine]:
    """Every certificate of the contest's published awards, in the awards' order."""
    lines = [line for line in awards.saved_awards(db, contest_id) if line.award.published_at]
    found = db.scalars(
        select(Certificate).where(col(Certificate.award_id).in_([line.award.id for line in lines]))
    )
    by_award = {certificate.award_id: certificate for certificate in found}
    return [CertificateLine(by_award[a.award.id], a) for a in lines if a.award.id in by_award]


def certificate_datas(
    db: Session, contest: Contest, lines: Sequence[CertificateLine], base_url: str
) -> list[CertificateData]:
    """What each certificate prints, loaded in two queries whatever the number."""
    members = members_by_entry(db, [line.award.entry_id for line in lines])
    return [
        CertificateData(
            contest_name=contest.name,
            contest_name_en=contest.name_en,
            organisers=list(contest.organisers),
            tier=line.award.tier,  # type: ignore[arg-type]
            custom_name=line.award.custom_name or None,
            custom_name_en=line.award.custom_name_en if line.award.custom_name else "",
            track_name=line.line.track_name,
            title=line.line.title,
            leader=line.line.leader_name,
            members=members.get(line.award.entry_id, []),
            institution=line.line.institution,
            issued_on=line.certificate.issued_on,
            code=line.certificate.code,
            verify_url=verify_url(base_url, line.certificate.code),
        )
        for line in lines
    ]


def printable(db: Session, contest: Contest, base_url: str) -> list[CertificateData]:
    """Every certificate of the contest that is still valid, ready to render."""
    lines = [line for line in contest_certificates(db, contest.id) if not line.revoked]
    return certificate_datas(db, contest, lines, base_url)


def downloadable(db: Session, user: User, award_id: int) -> CertificateLine:
    """The award's certificate if the caller organises the contest or owns the entry."""
    award = db.get(Award, award_id)
    entry = db.get(Entry, award.entry_id) if award is not None else None
    if award is None or entry is None:
        raise NotFound()
    if not (
        owns_entry(user, entry) or organises(db, user, award.contest_id)
    ):
        raise NotFound()
    for line in contest_certificates(db, award.contest_id):
        if line.award.id == award_id:
            return line
    raise NotFound()  # not published yet: no certificate


def render_data(db: Session, line: CertificateLine, base_url: str) -> CertificateData:
    contest = db.get(Contest, line.award.contest_id)
    assert contest is not None
    return certificate_datas(db, contest, [line], base_url)[0]


def file_name(data: CertificateData) -> str:
    """A readable, unique name: track, tier, title (cut short) and the code."""
    title = data.title if len(data.title) <= 40 else data.title[:40] + "…"
    tier = data.custom_name or TIER_STYLES[data.tier].zh
    return safe_filename(f"{data.track_name}-{tier}-{title}-{data.code}") + ".pdf"


def organised_certificate(
    db: Session, user: User, code: str, *, contest_id: int | None = None
) -> tuple[Certificate, Award]:
    """The certificate with this code, if the caller organises its contest (and it belongs
    to `contest_id` when given); else 404."""
    if not code.strip():
        raise InvalidInput.single("code", _("Choose the certificate to revoke."))
    found = find_certificate(db, code)
    if found is None:
        raise NotFound()
    certificate, award = found
    if contest_id is not None and award.contest_id != contest_id:
        raise NotFound()
    if not organises(db, user, award.contest_id):
        raise NotFound()
    return certificate, award


def revoke_certificate(
    db: Session, *, actor: User, certificate: Certificate, award: Award, reason: str
) -> Certificate:
    """Revoke a certificate for a reason, once; audited. Its code then verifies as revoked."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput.single("reason", _("Give the reason for revoking this certificate."))
    if len(reason) > REASON_MAX:
        message = _("Too long: at most %(max)s characters.") % {"max": REASON_MAX}
        raise InvalidInput.single("reason", message)
    now = utcnow()
    # One conditional UPDATE: of two organisers revoking at once, exactly one succeeds.
    done = changed_rows(
        db,
        update(Certificate)
        .where(col(Certificate.id) == certificate.id, col(Certificate.revoked_at).is_(None))
        .values(revoked_at=now, revoked_reason=reason, revoked_by_id=actor.id)
        .execution_options(synchronize_session=False),
    )
    if done != 1:
        db.refresh(certificate)
        raise StateConflict(_("This certificate has already been revoked."), code=certificate.code)
    db.refresh(certificate)
    audit.record(
        db,
        actor=actor,
        action="certificate.revoke",
        obj=certificate,
        contest_id=award.contest_id,
        before={"revoked_at": None},
        after={"revoked_at": now, "code": certificate.code, "award_id": award.id},
        reason=reason,
    )
    db.flush()
    return certificate
