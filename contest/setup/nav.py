"""What every organiser page of a contest or a round needs: its navigation context."""

from typing import Any

from sqlmodel import Session

from contest.models import Contest, Round
from contest.publications import service as publications
from contest.setup import contests, rounds


def contest_context(db: Session, contest: Contest, tab: str) -> dict[str, Any]:
    """Context for templates/manage/_nav.html's contest tabs; `tab` names the active one."""
    return {
        "contest": contest,
        "nav_rounds": rounds.rounds(db, contest.id),
        "nav_tracks": contests.tracks(db, contest.id),
        "tab": tab,
    }


def round_context(db: Session, round_: Round, tab: str) -> dict[str, Any]:
    """Context for a round's pages: the contest tabs plus the round's own tabs."""
    contest = db.get(Contest, round_.contest_id)
    assert contest is not None
    return {**contest_context(db, contest, f"round-{round_.id}"), "round": round_,
            "round_tab": tab, "round_is_open": rounds.is_open(round_),
            "round_is_closed": rounds.is_closed(round_),
            # Published outcomes freeze the round: no reopening (docs/rules.md "公示").
            "round_locked": rounds.advancement_published(db, round_)
            or publications.freezing(db, round_) is not None}
