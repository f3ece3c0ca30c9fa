"""What an investor sees: the contest's finalists and winners, public fields only.

The finalists are the entries of the final round (they enter it when the organisers
confirm the advancement before it); a tier shows once the awards are published. The
business plan is offered only when the team agreed to share it with investors.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from contest.awards import service as awards
from contest.core.enums import DocumentKind, LivePhase
from contest.core.errors import NotFound, StateConflict
from contest.core.i18n import _
from contest.core.i18n.names import sql_name
from contest.investors import conflicts
from contest.investors.schemas import ShowcaseItem
from contest.models import (
    Award,
    Document,
    Entry,
    EntryConsent,
    Interest,
    Investor,
    LiveState,
    RoundEntry,
    Track,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class Project:
    entry: Entry
    track_code: str
    track_name: str


def finalists(db: Session, contest_id: int) -> list[Project]:
    """The final round's entries, not withdrawn, by track then title."""
    final = awards.final_round(db, contest_id)
    if final is None:
        return []
    rows = db.execute(
        select(Entry, col(Track.code), sql_name(Track))
        .join(RoundEntry, col(RoundEntry.entry_id) == Entry.id)
        .join(Track, col(Track.id) == Entry.track_id)
        .where(col(RoundEntry.round_id) == final.id, col(Entry.withdrawn_at).is_(None))
        .order_by(col(Track.position), col(Track.code), col(Entry.title))
    ).all()
    return [Project(entry, code, name) for entry, code, name in rows]


def published_tiers(db: Session, entry_ids: Sequence[int]) -> dict[int, str]:
    rows = db.execute(
        select(col(Award.entry_id), col(Award.tier)).where(
            col(Award.entry_id).in_(entry_ids), col(Award.published_at).is_not(None)
        )
    ).all()
    return {entry_id: str(tier) for entry_id, tier in rows}


def shared_plans(db: Session, entry_ids: Sequence[int]) -> dict[int, Document]:
    """entry_id -> its current business plan, for the teams that agreed to share it."""
    rows = db.scalars(
        select(Document)
        .join(EntryConsent, col(EntryConsent.entry_id) == Document.entry_id)
        .where(
            col(Document.entry_id).in_(entry_ids),
            col(Document.kind) == DocumentKind.business_plan.value,
            col(Document.replaced_at).is_(None),
            col(EntryConsent.share_business_plan).is_(True),
        )
        .order_by(col(Document.uploaded_at))
    )
    return {document.entry_id: document for document in rows}


def showcase(db: Session, seat: Investor) -> list[ShowcaseItem]:
    projects = finalists(db, seat.contest_id)
    ids = [p.entry.id for p in projects]
    tiers = published_tiers(db, ids)
    plans = shared_plans(db, ids)
    marks = {
        m.entry_id: m
        for m in db.scalars(select(Interest).where(col(Interest.investor_id) == seat.id))
    }
    conflicted = conflicts.conflicted_entries(db, seat)
    return [_item(p, tiers, plans, marks, conflicted) for p in projects]


def _item(
    project: Project,
    tiers: dict[int, str],
    plans: dict[int, Document],
    marks: dict[int, Interest],
    conflicted: dict[int, str],
) -> ShowcaseItem:
    entry = project.entry
    mark = marks.get(entry.id)
    return ShowcaseItem(
        entry_id=entry.id,
        title=entry.title,
        track_code=project.track_code,
        track_name=project.track_name,
        summary=entry.summary,
        field=entry.field,
        institution=entry.institution,
        city=entry.city,
        stage="award" if entry.id in tiers else "final",
        tier=tiers.get(entry.id),
        business_plan=entry.id in plans,
        conflict=entry.id in conflicted,
        conflict_reason=conflicted.get(entry.id),
        level=mark.level if mark else None,
        note=mark.note if mark else None,
    )


def showcase_entry(db: Session, seat: Investor, entry_id: int) -> Entry:
    """A project of the investor's showcase; any other entry is not found."""
    for project in finalists(db, seat.contest_id):
        if project.entry.id == entry_id:
            return project.entry
    raise NotFound()


def final_started(db: Session, contest_id: int) -> bool:
    """The final has started once its round has opened or its live show left "waiting"."""
    final = awards.final_round(db, contest_id)
    if final is None:
        return False
    if final.opens_at is not None and final.opens_at <= utcnow():
        return True
    state = db.get(LiveState, final.id)
    return state is not None and state.phase != LivePhase.waiting


def require_final_started(db: Session, contest_id: int) -> None:
    if not final_started(db, contest_id):
        raise StateConflict(_("Interest can be marked once the final has started."))


def business_plan(db: Session, seat: Investor, entry_id: int) -> Document:
    entry = showcase_entry(db, seat, entry_id)
    plan = shared_plans(db, [entry.id]).get(entry.id)
    if plan is None:
        raise NotFound()
    return plan
