"""Mails when a round's advancement is published: each team hears whether its entry
advances, with the judges' comments when they are published too."""

from sqlmodel import Session, col, select

from contest.core.enums import EntryStatus
from contest.entries import views
from contest.models import Entry, Round, RoundEntry, User
from contest.notices import events
from contest.setup import rounds

FEEDBACK_CHARS = 1500


def recipient(entry: Entry, owner: User | None) -> events.Recipient | None:
    """The team's account if it has one, else the leader the entry names (imports)."""
    if owner is not None:
        return events.Recipient(owner.email, owner.name, owner.locale or "zh")
    if entry.leader_email:
        return events.Recipient(entry.leader_email, entry.leader_name, "zh")
    return None


def advancement_published(db: Session, round_: Round) -> int:
    """Queue one mail per decided entry of the round; how many."""
    following = rounds.next_round(db, round_)
    rows = db.execute(
        select(Entry, User, col(RoundEntry.status))
        .join(RoundEntry, col(RoundEntry.entry_id) == Entry.id)
        .outerjoin(User, col(User.id) == Entry.owner_id)
        .where(
            col(RoundEntry.round_id) == round_.id,
            col(RoundEntry.status).in_([EntryStatus.advanced, EntryStatus.eliminated]),
        )
        .order_by(col(Entry.id))
    ).all()
    feedback = views.feedback_by_entry(db, [entry.id for entry, _u, _s in rows])
    queued = 0
    for entry, owner, status in rows:
        to = recipient(entry, owner)
        if to is None:
            continue
        events.advancement(
            db, to=to, contest_id=round_.contest_id, entry_title=entry.title,
            round_name=round_.name, next_round_name=following.name if following else "",
            advanced=status == EntryStatus.advanced,
            feedback=_comments(feedback.get(entry.id, []), round_.id),
        )
        queued += 1
    return queued


def _comments(items: list[views.Feedback], round_id: int) -> str:
    texts = [text for item in items if item.round.id == round_id for _n, text in item.comments]
    joined = " / ".join(text.strip() for text in texts)
    return joined if len(joined) <= FEEDBACK_CHARS else joined[: FEEDBACK_CHARS - 1] + "…"
