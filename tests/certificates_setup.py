"""Published awards with their certificates, inserted directly (as contest/awards/service.py would
leave them), for the certificate, verification and export tests."""

import secrets
from datetime import date

from sqlmodel import Session

from contest.core.enums import AwardScope, Tier
from contest.models import Award, Certificate, Contest, Entry, utcnow


def new_code() -> str:
    """Unguessable, grouped for reading aloud: e.g. TJ-7KQ2-M9XD-4RHP."""
    alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
    body = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"TJ-{body[:4]}-{body[4:8]}-{body[8:]}"


def award(
    db: Session,
    contest: Contest,
    entry: Entry,
    tier: Tier | str = Tier.gold,
    *,
    rank: int = 1,
    published: bool = True,
    custom_name: str = "",
    scope: AwardScope = AwardScope.per_track,
    code: str | None = None,
    issued_on: date = date(2023, 11, 23),
) -> tuple[Award, Certificate | None]:
    """An award and, when published, its certificate."""
    item = Award(
        contest_id=contest.id,
        entry_id=entry.id,
        track_id=entry.track_id if scope == AwardScope.per_track else None,
        tier=Tier(tier),
        scope=scope,
        custom_name=custom_name,
        rank=rank,
        published_at=utcnow() if published else None,
    )
    db.add(item)
    db.flush()
    if not published:
        return item, None
    certificate = Certificate(award_id=item.id, code=code or new_code(), issued_on=issued_on)
    db.add(certificate)
    db.flush()
    return item, certificate
