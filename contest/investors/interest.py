"""Interest marks during and after the final (意向): an investor's own, the team's view
(organisations that want to meet it, once it agreed to be contacted) and the organiser's
leads."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.enums import InterestLevel
from contest.investors import conflicts, consent
from contest.investors.schemas import InterestIn, LeadPublic, TeamInterestPublic
from contest.investors.showcase import require_final_started, showcase_entry
from contest.models import Entry, Interest, Investor, User, utcnow

LEVEL_WEIGHT = {
    InterestLevel.watch.value: 1,
    InterestLevel.meet.value: 2,
    InterestLevel.intent.value: 3,
}


def set_interest(
    db: Session, *, actor: User, seat: Investor, entry_id: int, data: InterestIn
) -> Interest:
    """Mark (or re-mark) a showcase project; 409 before the final has started."""
    entry = showcase_entry(db, seat, entry_id)
    require_final_started(db, seat.contest_id)
    mark = db.scalars(
        select(Interest).where(
            col(Interest.investor_id) == seat.id, col(Interest.entry_id) == entry.id
        )
    ).first()
    before = audit.snapshot(mark, ["level"]) if mark else None
    if mark is None:
        mark = Interest(investor_id=seat.id, entry_id=entry.id, level=data.level.value)
    mark.level, mark.note, mark.updated_at = data.level.value, data.note, utcnow()
    db.add(mark)
    db.flush()
    # The note is private: the audit log keeps the level only.
    audit.record(
        db,
        actor=actor,
        action="interest.mark",
        obj=mark,
        contest_id=seat.contest_id,
        before=before,
        after=audit.snapshot(mark, ["entry_id", "level"]),
    )
    conflicts.sync_judge_conflicts(db, actor=actor, contest_id=seat.contest_id)
    return mark


def remove_interest(db: Session, *, actor: User, seat: Investor, entry_id: int) -> None:
    entry = showcase_entry(db, seat, entry_id)
    mark = db.scalars(
        select(Interest).where(
            col(Interest.investor_id) == seat.id, col(Interest.entry_id) == entry.id
        )
    ).first()
    if mark is None:
        return
    audit.record(
        db,
        actor=actor,
        action="interest.remove",
        obj=mark,
        contest_id=seat.contest_id,
        before=audit.snapshot(mark, ["entry_id", "level"]),
    )
    db.delete(mark)
    db.flush()


@dataclass(frozen=True, slots=True)
class Lead:
    mark: Interest
    entry: Entry
    seat: Investor
    investor: User
    conflict: bool

    def public(self) -> LeadPublic:
        return LeadPublic(
            entry_id=self.entry.id,
            title=self.entry.title,
            investor_id=self.seat.id,
            investor_name=self.investor.name,
            organisation=self.seat.organisation,
            level=self.mark.level,
            note=self.mark.note,
            at=self.mark.updated_at,
            conflict=self.conflict,
        )


def leads(db: Session, contest_id: int) -> list[Lead]:
    """Every mark of the contest's investors, strongest first, newest first."""
    rows = db.execute(
        select(Interest, Entry, Investor, User)
        .join(Investor, col(Investor.id) == Interest.investor_id)
        .join(Entry, col(Entry.id) == Interest.entry_id)
        .join(User, col(User.id) == Investor.user_id)
        .where(col(Investor.contest_id) == contest_id)
        .order_by(col(Interest.updated_at).desc(), col(Interest.id).desc())
    ).all()
    hits = {(c.investor_id, c.entry_id) for c in conflicts.investor_conflicts(db, contest_id)}
    found = [Lead(m, e, s, u, (s.id, e.id) in hits) for m, e, s, u in rows]
    return sorted(found, key=lambda lead: -LEVEL_WEIGHT[lead.mark.level])


@dataclass(frozen=True, slots=True)
class ProjectLeads:
    """A project's marks: how many of each level, and a score to sort by."""

    entry_id: int
    title: str
    counts: dict[str, int]
    weight: int
    last_at: datetime


def projects_by_interest(found: list[Lead]) -> list[ProjectLeads]:
    by_entry: dict[int, list[Lead]] = {}
    for lead in found:
        by_entry.setdefault(lead.entry.id, []).append(lead)
    projects = [
        ProjectLeads(
            entry_id,
            group[0].entry.title,
            dict(Counter(lead.mark.level for lead in group)),
            sum(LEVEL_WEIGHT[lead.mark.level] for lead in group),
            max(lead.mark.updated_at for lead in group),
        )
        for entry_id, group in by_entry.items()
    ]
    return sorted(projects, key=lambda p: (-p.weight, -sum(p.counts.values()), p.title))


def team_view(db: Session, entry: Entry) -> TeamInterestPublic:
    """Organisations that want to meet the team (meet or intent), once it agreed to be
    contacted; never notes, never who only watches."""
    agreed = consent.of(db, entry.id).contact
    if not agreed:
        return TeamInterestPublic(contact=False, organisations=[])
    rows = db.execute(
        select(col(Investor.organisation), col(Interest.level))
        .join(Investor, col(Investor.id) == Interest.investor_id)
        .where(col(Interest.entry_id) == entry.id, col(Interest.level).in_(conflicts.STRONG_LEVELS))
        .order_by(col(Investor.organisation))
    ).all()
    return TeamInterestPublic(
        contact=True, organisations=[{"organisation": o, "level": lvl} for o, lvl in rows]
    )
