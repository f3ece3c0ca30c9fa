"""The demo's advancement: close a round, confirm its preview, publish the list."""

from sqlmodel import Session

from contest.models import Round, User
from contest.results import advancement
from contest.setup import rounds

TIE_REASON = "演示：按编号决定同分晋级"


def advance_round(db: Session, *, actor: User, round_: Round) -> advancement.Confirmed:
    """Close the round if needed, confirm the default preview (a tie across the boundary
    is settled by taking the tied entries with the lowest numbers, with a reason), and
    publish the list with the judges' comments."""
    if not rounds.is_closed(round_):
        rounds.close_round(db, actor=actor, round_=round_)
    view = advancement.overview(db, round_)
    chosen = list(view.default_ids)
    for track in view.tracks:
        # Tied entries are listed by entry id, so the first ones are the lowest numbers.
        chosen.extend(track.tied_entry_ids[: track.places_left])
    reason = TIE_REASON if view.has_boundary_tie else ""
    confirmed = advancement.confirm_advancement(
        db, actor=actor, round_=round_, entry_ids=chosen, reason=reason
    )
    advancement.publish_advancement(db, actor=actor, round_=round_, feedback=True)
    return confirmed
