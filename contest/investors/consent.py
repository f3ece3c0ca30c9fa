"""What a team agreed to share: its business plan with the contest's investors, its
contact (which organisations want to meet it), and its deals on the public page.
Everything is off until the team turns it on; each change is audited."""

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core import audit
from contest.investors.schemas import ConsentIn, ConsentPublic
from contest.models import Entry, EntryConsent, User, utcnow

FIELDS = ["share_business_plan", "contact", "publish_deals"]


def of(db: Session, entry_id: int) -> EntryConsent:
    """The entry's consents; all off when the team never set them."""
    return db.get(EntryConsent, entry_id) or EntryConsent(entry_id=entry_id)


def public(item: EntryConsent) -> ConsentPublic:
    return ConsentPublic(
        entry_id=item.entry_id,
        share_business_plan=item.share_business_plan,
        contact=item.contact,
        publish_deals=item.publish_deals,
    )


def set_consent(db: Session, *, actor: User, entry: Entry, data: ConsentIn) -> EntryConsent:
    item = db.get(EntryConsent, entry.id)
    before = audit.snapshot(item, FIELDS) if item else None
    if item is None:
        item = EntryConsent(entry_id=entry.id)
    item.share_business_plan = data.share_business_plan
    item.contact = data.contact
    item.publish_deals = data.publish_deals
    item.updated_at, item.updated_by_id = utcnow(), actor.id
    db.add(item)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="consent.set",
        obj=item,
        object_id=entry.id,
        contest_id=entry.contest_id,
        before=before,
        after=audit.snapshot(item, FIELDS),
    )
    return item


def published_entries(db: Session, contest_id: int) -> set[int]:
    """Entries of the contest whose team agreed to publish its deals."""
    return set(
        db.scalars(
            select(col(EntryConsent.entry_id))
            .join(Entry, col(Entry.id) == EntryConsent.entry_id)
            .where(col(Entry.contest_id) == contest_id, col(EntryConsent.publish_deals).is_(True))
        )
    )
