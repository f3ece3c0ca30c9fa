"""Actions on a selection of the organiser's entry list: withdraw, add to a round, export.

The selection is checked as a whole before anything changes: every id must be an entry
of the contest, at most MAX_SELECTION of them, and a reason is required for the two
actions that change the contest. Withdrawing skips entries already withdrawn and
refuses the whole selection if one of them has a published award (revoke its
certificate instead). Adding to a round puts entries that are not yet in it into it
with status `in` (e.g. a wildcard after an appeal); a round whose advancement was
already confirmed takes nobody any more, nor does a withdrawn entry. Each entry gets
its own audit record, with the reason.
"""

from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.enums import EntryStatus
from contest.core.errors import InvalidInput, StateConflict
from contest.core.i18n import _
from contest.entries import service as entries
from contest.models import Advancement, Award, Contest, Entry, Round, RoundEntry, User

MAX_SELECTION = 500
ACTIONS = ("export", "add_to_round", "withdraw")


def parse_ids(raw: Sequence[str]) -> list[int]:
    """The selected entry ids from the form, in order, without repeats."""
    ids: list[int] = []
    for value in raw:
        text = value.strip()
        if not text.isascii() or not text.isdigit() or len(text) > 9:
            raise InvalidInput.single("entry_ids", _("Choose entries from the list."))
        if int(text) not in ids:
            ids.append(int(text))
    if not ids:
        raise InvalidInput.single("entry_ids", _("Select at least one entry."))
    if len(ids) > MAX_SELECTION:
        raise InvalidInput.single(
            "entry_ids", _("Select at most %(n)s entries at a time.") % {"n": MAX_SELECTION}
        )
    return ids


def selected_entries(db: Session, contest: Contest, ids: Sequence[int]) -> list[Entry]:
    found = list(
        db.scalars(
            select(Entry)
            .where(col(Entry.contest_id) == contest.id, col(Entry.id).in_(ids))
            .order_by(col(Entry.id))
        )
    )
    if len(found) != len(set(ids)):
        raise InvalidInput.single("entry_ids", _("Some selected entries are not in this contest."))
    return found


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise InvalidInput.single("reason", _("Give a reason: it is kept in the audit log."))
    if len(text) > 1000:
        raise InvalidInput.single("reason", _("At most 1,000 characters."))
    return text


def withdraw_selected(
    db: Session, *, actor: User, contest: Contest, ids: Sequence[int], reason: str
) -> int:
    """Withdraw every selected entry that is still in the contest; returns how many."""
    text = _reason(reason)
    chosen = selected_entries(db, contest, ids)
    awarded = set(
        db.scalars(
            select(col(Award.entry_id)).where(
                col(Award.entry_id).in_([e.id for e in chosen]),
                col(Award.published_at).is_not(None),
            )
        )
    )
    if awarded:
        numbers = "、".join(str(i) for i in sorted(awarded))
        raise StateConflict(
            _("Entries with a published award cannot be withdrawn: %(ids)s.") % {"ids": numbers}
        )
    count = 0
    for entry in chosen:
        if entry.withdrawn_at is None:
            entries.withdraw_entry(db, actor=actor, entry=entry, reason=text)
            count += 1
    return count


def add_selected_to_round(
    db: Session, *, actor: User, contest: Contest, ids: Sequence[int], round_id: int, reason: str
) -> int:
    """Put the selected entries into a round of the contest; returns how many were added."""
    round_ = db.get(Round, round_id)
    if round_ is None or round_.contest_id != contest.id:
        raise InvalidInput.single("round_id", _("Choose a round of this contest."))
    text = _reason(reason)
    chosen = selected_entries(db, contest, ids)
    if db.get(Advancement, round_.id) is not None:
        raise StateConflict(
            _("The advancement of %(round)s is confirmed; it takes no more entries.")
            % {"round": round_.name}
        )
    withdrawn = [str(e.id) for e in chosen if e.withdrawn_at is not None]
    if withdrawn:
        raise InvalidInput.single(
            "entry_ids",
            _("Withdrawn entries cannot join a round: %(ids)s.") % {"ids": "、".join(withdrawn)},
        )
    already = set(
        db.scalars(
            select(col(RoundEntry.entry_id)).where(
                col(RoundEntry.round_id) == round_.id,
                col(RoundEntry.entry_id).in_([e.id for e in chosen]),
            )
        )
    )
    added = [e for e in chosen if e.id not in already]
    for entry in added:
        db.add(RoundEntry(round_id=round_.id, entry_id=entry.id, status=EntryStatus.in_))
        audit.record(
            db, actor=actor, action="entry.add_to_round", obj=entry,
            after={"round_id": round_.id, "round": round_.name}, reason=text,
        )  # fmt: skip
    db.flush()
    return len(added)
