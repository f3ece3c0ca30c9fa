"""Shapes for certificates: verification, revocation and the organiser's list."""

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contest.models import Award, Certificate

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class RevokeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why the certificate is revoked (audited).")


class VerifyResult(BaseModel):
    """What /api/v1/verify/{code} tells anyone: the certificate's own text and its state."""

    model_config = ConfigDict(from_attributes=True)

    valid: bool
    revoked: bool
    revoked_at: datetime | None = None
    code: str
    contest: str
    organisers: list[str]
    tier: str = Field(description="gold, silver, bronze or excellence")
    award_name: str = Field(description="As printed: the custom name, or e.g. 金奖 Gold Award")
    track: str
    title: str
    leader: str
    members: list[str]
    institution: str
    issued_on: date


class CertificatePublic(BaseModel):
    """A certificate as its organiser sees it."""

    award_id: int
    entry_id: int
    code: str
    issued_on: date
    revoked: bool
    revoked_at: datetime | None
    revoked_reason: str

    @classmethod
    def of(cls, certificate: Certificate, award: Award) -> "CertificatePublic":
        return cls(
            award_id=award.id,
            entry_id=award.entry_id,
            code=certificate.code,
            issued_on=certificate.issued_on,
            revoked=certificate.revoked_at is not None,
            revoked_at=certificate.revoked_at,
            revoked_reason=certificate.revoked_reason,
        )


class CertificateJobIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["zip", "pdf"] = Field(
        default="zip", description="zip: one PDF per certificate; pdf: one printable PDF."
    )
