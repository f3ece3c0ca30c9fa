"""Mails when awards are published: each winner hears its award, with the link to its
certificate (the public check page of its code, where it can be downloaded)."""

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core.enums import Tier
from contest.core.i18n import use_locale
from contest.core.labels import tier_label
from contest.models import Award, Certificate, Entry, Track, User
from contest.notices import events
from contest.results.notify import recipient


def awards_published(db: Session, contest_id: int) -> int:
    """Queue one mail per published award of the contest; how many."""
    rows = db.execute(
        select(Award, Entry, User, Certificate, col(Track.name))
        .join(Entry, col(Entry.id) == Award.entry_id)
        .join(Track, col(Track.id) == Entry.track_id)
        .outerjoin(User, col(User.id) == Entry.owner_id)
        .outerjoin(Certificate, col(Certificate.award_id) == Award.id)
        .where(col(Award.contest_id) == contest_id, col(Award.published_at).is_not(None))
        .order_by(col(Award.id))
    ).all()
    queued = 0
    for award, entry, owner, certificate, track_name in rows:
        to = recipient(entry, owner)
        if to is None:
            continue
        with use_locale(to.language):  # the tier's name in the winner's language
            name = award.custom_name or f"{track_name} {tier_label(Tier(award.tier))}"
        path = f"/verify/{certificate.code}" if certificate else "/team"
        events.award(db, to=to, contest_id=contest_id, entry_title=entry.title,
                     award_name=name, certificate_path=path)
        queued += 1
    return queued
