"""Deals and follow-up (issue 22, item 4): what followed the contest for a project, who
may read which, and the per-contest pipeline reported to sponsors.

A deal is never deleted: withdrawing one keeps it with a reason (audited). The public
reads a deal only when the organiser marked it public AND the team agreed to publish.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.enums import DealKind, InterestLevel
from contest.core.errors import InvalidInput, NotFound, StateConflict
from contest.core.i18n import _
from contest.investors.schemas import DealCreate, DealPublic, FollowUpPublic, PipelineStage
from contest.investors.showcase import finalists
from contest.models import Deal, Entry, EntryConsent, Interest, Investor, User, utcnow

FIELDS = ["entry_id", "kind", "partner", "amount_wan", "signed_on", "note", "public"]
# The pipeline's stages, furthest last: a project stands at the furthest it reached.
STAGES = ("finalist", "watched", "meeting", "intent_marked", "intent_signed", "invested")
# Deals that place a project in the pipeline; the others are counted beside it.
STAGE_OF_DEAL = {
    DealKind.investment_intent.value: "intent_signed",
    DealKind.investment.value: "invested",
}
STAGE_OF_MARK = {
    InterestLevel.watch.value: "watched",
    InterestLevel.meet.value: "meeting",
    InterestLevel.intent.value: "intent_marked",
}


def record_deal(db: Session, *, actor: User, entry: Entry, data: DealCreate) -> Deal:
    deal = Deal(
        contest_id=entry.contest_id,
        entry_id=entry.id,
        kind=data.kind.value,
        partner=data.partner,
        amount_wan=data.amount_wan,
        signed_on=data.signed_on,
        note=data.note,
        public=data.public,
        created_by_id=actor.id,
    )
    db.add(deal)
    db.flush()
    audit.record(
        db, actor=actor, action="deal.record", obj=deal, after=audit.snapshot(deal, FIELDS)
    )
    return deal


def withdraw_deal(db: Session, *, actor: User, deal: Deal, reason: str) -> Deal:
    if deal.withdrawn_at is not None:
        raise StateConflict(_("This deal was already withdrawn."))
    deal.withdrawn_at, deal.withdraw_reason = utcnow(), reason
    db.add(deal)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="deal.withdraw",
        obj=deal,
        before=audit.snapshot(deal, FIELDS),
        reason=reason,
    )
    return deal


def contest_deal(db: Session, contest_ids: Sequence[int], deal_id: int) -> Deal:
    deal = db.get(Deal, deal_id)
    if deal is None or deal.contest_id not in contest_ids:
        raise NotFound()
    return deal


@dataclass(frozen=True, slots=True)
class DealLine:
    deal: Deal
    entry: Entry

    def public(self, *, with_note: bool) -> DealPublic:
        d = self.deal
        return DealPublic(
            id=d.id,
            entry_id=d.entry_id,
            title=self.entry.title,
            kind=d.kind,
            partner=d.partner,
            amount_wan=float(d.amount_wan) if d.amount_wan is not None else None,
            signed_on=d.signed_on,
            note=d.note if with_note else None,
            public=d.public,
            document=d.stored_name is not None,
            withdrawn_at=d.withdrawn_at,
        )


def deal_lines(
    db: Session,
    contest_id: int,
    *,
    reader: str,
    team: User | None = None,
    withdrawn: bool = False,
) -> list[DealLine]:
    """The deals a reader sees: "organiser" all, "team" its own and the public ones,
    "public" the public deals of teams that agreed to publish."""
    query = (
        select(Deal, Entry)
        .join(Entry, col(Entry.id) == Deal.entry_id)
        .outerjoin(EntryConsent, col(EntryConsent.entry_id) == Deal.entry_id)
        .where(col(Deal.contest_id) == contest_id)
        .order_by(col(Deal.signed_on).desc(), col(Deal.id).desc())
    )
    if not withdrawn or reader != "organiser":
        query = query.where(col(Deal.withdrawn_at).is_(None))
    shown = col(Deal.public).is_(True) & col(EntryConsent.publish_deals).is_(True)
    if reader == "team" and team is not None:
        query = query.where(shown | (col(Entry.owner_id) == team.id))
    elif reader != "organiser":
        query = query.where(shown)
    return [DealLine(deal, entry) for deal, entry in db.execute(query).all()]


def entry_deals(db: Session, entry_id: int) -> list[Deal]:
    return list(
        db.scalars(
            select(Deal)
            .where(col(Deal.entry_id) == entry_id, col(Deal.withdrawn_at).is_(None))
            .order_by(col(Deal.signed_on).desc())
        )
    )


def follow_up(db: Session, contest_id: int) -> FollowUpPublic:
    """Projects by the furthest stage they reached, and the counts for sponsors."""
    stage = {p.entry.id: 0 for p in finalists(db, contest_id)}
    marks = db.execute(
        select(col(Interest.entry_id), col(Interest.level))
        .join(Investor, col(Investor.id) == Interest.investor_id)
        .where(col(Investor.contest_id) == contest_id)
    ).all()
    live = [line.deal for line in deal_lines(db, contest_id, reader="organiser")]
    for entry_id, level in marks:
        _raise(stage, entry_id, STAGE_OF_MARK[level])
    for deal in live:
        if deal.kind in STAGE_OF_DEAL:
            _raise(stage, deal.entry_id, STAGE_OF_DEAL[deal.kind])
    pipeline = [
        PipelineStage(stage=name, entry_ids=sorted(e for e, s in stage.items() if s == i))
        for i, name in enumerate(STAGES)
    ]
    return FollowUpPublic(pipeline=pipeline, counts=_counts(db, contest_id, marks, live))


def _raise(stage: dict[int, int], entry_id: int, name: str) -> None:
    stage[entry_id] = max(stage.get(entry_id, 0), STAGES.index(name))


def _counts(
    db: Session, contest_id: int, marks: Sequence[tuple[int, str]], live: list[Deal]
) -> dict[str, float | int]:
    kinds = Counter(deal.kind for deal in live)
    levels = Counter(level for _entry, level in marks)
    invested = sum((d.amount_wan or Decimal(0) for d in live if d.kind == "investment"), Decimal(0))
    investors = db.scalars(
        select(col(Investor.id)).where(col(Investor.contest_id) == contest_id)
    ).all()
    return {
        "investors": len(investors),
        "marks_watch": levels["watch"],
        "marks_meet": levels["meet"],
        "marks_intent": levels["intent"],
        "projects_marked": len({entry_id for entry_id, _level in marks}),
        **{f"deals_{kind.value}": kinds[kind.value] for kind in DealKind},
        "projects_with_deals": len({d.entry_id for d in live}),
        "invested_wan": float(invested),
    }


def entry_of(db: Session, deal: Deal) -> Entry:
    entry = db.get(Entry, deal.entry_id)
    assert entry is not None  # a deal's entry is kept (ON DELETE CASCADE removes both)
    return entry


def contest_entry(db: Session, contest_id: int, entry_id: int | None) -> Entry:
    """An entry of the contest, for a deal recorded from a form; else 422 on entry_id."""
    entry = db.get(Entry, entry_id) if entry_id else None
    if entry is None or entry.contest_id != contest_id:
        raise InvalidInput.single("entry_id", _("Choose a project of this contest."))
    return entry
