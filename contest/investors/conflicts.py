"""Investor conflicts (issue 22, item 5), with the rules of fair judging.

There is one set of conflict rules, `contest.judging.conflicts` (normalising names,
university families, the organisers' families, companies and credit codes); this module
only says what an investor is tied to and hands it to those rules:

- the companies it declared a stake in (name and credit code),
- its organisation (an investment arm of a university or a company is that family),
- when it is also a judge of the contest: everything the judge is tied to on the panel
  (institution, declared affiliations and companies, named conflicts, conflicts with
  entries), and every project it marked "meet" or "intent" (one cannot score a project
  one wants to invest in).

`investor_conflicts` is what every investor view uses (the showcase's badge, the leads'
flag, the leads export). Because this feature sits above judging, the assignment solver
cannot call it; instead `sync_judge_conflicts` writes the conflicts only the investor
side knows (stakes and marks) of an investor who is also a judge as declared conflicts
of the judging panel (setup.judges.declare_conflict), which automatic and manual
assignment respect. They are added, never removed: taking a mark back does not undo what
the investor said about a project during the contest.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core.enums import InterestLevel
from contest.core.i18n import _
from contest.judging.conflicts import EntrySide, Kind, Match, Party, detect
from contest.judging.detection import families_of, load_context
from contest.models import Conflict, Entry, Interest, Investor, Judge, User
from contest.setup import judges as panel

STRONG_LEVELS = (InterestLevel.meet.value, InterestLevel.intent.value)
# What only the investor side knows: the panel learns these through sync_judge_conflicts.
_INVESTOR_KINDS = frozenset({Kind.company, Kind.credit_code, Kind.declared_entry})


@dataclass(frozen=True, slots=True)
class InvestorConflict:
    investor_id: int
    user_id: int
    entry_id: int
    reason: str  # as stored on the judging panel for stakes and marks
    kind: str = ""
    label: str = ""  # the reason in the reader's words, for pages


def _label(hit: Match, marks: dict[int, str]) -> str:
    if hit.kind == Kind.declared_entry and hit.entry_id in marks:
        return _("A judge of this contest who wants to meet or invest in this project.")
    if hit.kind in (Kind.company, Kind.credit_code):
        return _("Declared a stake in %(company)s.") % {"company": hit.entry_name}
    return _reason(hit, marks)


def _stakes(seat: Investor) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(s.get("name", "")), str(s.get("credit_code", "") or "")) for s in seat.stakes or ()
    )


def _judge_seats(db: Session, contest_id: int) -> dict[int, Judge]:
    """user_id -> the user's judge row in the contest."""
    judges = db.scalars(select(Judge).where(col(Judge.contest_id) == contest_id))
    return {judge.user_id: judge for judge in judges}


def _strong_marks(db: Session, seat_ids: list[int]) -> dict[int, dict[int, str]]:
    """investor id -> {entry id: level} of its "meet" and "intent" marks."""
    found: dict[int, dict[int, str]] = {}
    if not seat_ids:
        return found
    rows = db.execute(
        select(col(Interest.investor_id), col(Interest.entry_id), col(Interest.level)).where(
            col(Interest.investor_id).in_(seat_ids), col(Interest.level).in_(STRONG_LEVELS)
        )
    ).all()
    for investor_id, entry_id, level in rows:
        found.setdefault(investor_id, {})[entry_id] = level
    return found


def _reason(hit: Match, marks: dict[int, str]) -> str:
    if hit.kind == Kind.declared_entry and hit.entry_id in marks:
        # Kept in English words: the panel stores it as the declared conflict's reason.
        return f"investor interest: {marks[hit.entry_id]}"
    if hit.kind in (Kind.company, Kind.credit_code):
        return f"stake: {hit.entry_name}"
    texts = {
        Kind.same_institution: _("Same institution: %(party)s and %(entry)s."),
        Kind.same_family: _("Same family of institutions: %(party)s and %(entry)s."),
        Kind.declared_name: _("Declared a conflict with %(party)s (entry: %(entry)s)."),
        Kind.declared_entry: _("Declared a conflict with this entry."),
    }
    return texts[hit.kind] % {"party": hit.party_name, "entry": hit.entry_name}


def investor_conflicts(
    db: Session, contest_id: int, *, only_investor_side: bool = False
) -> list[InvestorConflict]:
    """Every (investor, entry) conflict of the contest, with its reason. With
    ``only_investor_side``, only what the judging panel cannot know by itself (stakes and
    a judge's marks), as if the investor had no other ties."""
    seats = list(db.scalars(select(Investor).where(col(Investor.contest_id) == contest_id)))
    if not seats:
        return []
    judges = _judge_seats(db, contest_id)
    judging = [s.id for s in seats if s.user_id in judges]
    marks = _strong_marks(db, judging)
    # The panel's ties are read only when an investor sits on it.
    on_panel = load_context(db, contest_id).parties if judging and not only_investor_side else {}
    parties = []
    for seat in seats:
        judge = judges.get(seat.user_id)
        as_judge = on_panel.get(judge.id) if judge is not None else None
        declared = frozenset(marks.get(seat.id, {}))
        if as_judge is None:
            parties.append(
                Party(
                    id=seat.id,
                    institution="" if only_investor_side else seat.organisation,
                    companies=_stakes(seat),
                    declared_entries=declared,
                )
            )
        else:
            parties.append(
                Party(
                    id=seat.id,
                    institution=as_judge.institution,
                    affiliations=(*as_judge.affiliations, seat.organisation),
                    companies=(*as_judge.companies, *_stakes(seat)),
                    declared_names=as_judge.declared_names,
                    declared_codes=as_judge.declared_codes,
                    declared_entries=as_judge.declared_entries | declared,
                )
            )
    sides = [
        EntrySide(*row)
        for row in db.execute(
            select(
                col(Entry.id),
                col(Entry.institution),
                col(Entry.company_name),
                col(Entry.credit_code),
            ).where(col(Entry.contest_id) == contest_id)
        ).all()
    ]
    by_id = {seat.id: seat for seat in seats}
    return [
        InvestorConflict(
            hit.party_id,
            by_id[hit.party_id].user_id,
            hit.entry_id,
            _reason(hit, marks.get(hit.party_id, {})),
            str(hit.kind),
            _label(hit, marks.get(hit.party_id, {})),
        )
        for hit in detect(parties, sides, families_of(db, contest_id))
    ]


def conflicted_entries(db: Session, seat: Investor) -> dict[int, str]:
    """entry id -> why this investor is in conflict with it."""
    return {
        c.entry_id: c.label
        for c in investor_conflicts(db, seat.contest_id)
        if c.investor_id == seat.id
    }


def sync_judge_conflicts(db: Session, *, actor: User, contest_id: int) -> int:
    """Declare on the judging panel every stake or mark conflict of an investor who is
    also a judge; returns how many were new."""
    judges = _judge_seats(db, contest_id)
    if not judges:
        return 0
    existing = {
        (judge_id, entry_id)
        for judge_id, entry_id in db.execute(
            select(col(Conflict.judge_id), col(Conflict.entry_id))
            .join(Judge, col(Judge.id) == Conflict.judge_id)
            .where(col(Judge.contest_id) == contest_id)
        ).all()
    }
    added = 0
    for hit in investor_conflicts(db, contest_id, only_investor_side=True):
        judge = judges.get(hit.user_id)
        if judge is None or (judge.id, hit.entry_id) in existing:
            continue
        if hit.kind not in _INVESTOR_KINDS:
            continue
        panel.declare_conflict(
            db, actor=actor, judge=judge, entry_id=hit.entry_id, reason=hit.reason
        )
        existing.add((judge.id, hit.entry_id))
        added += 1
    return added
