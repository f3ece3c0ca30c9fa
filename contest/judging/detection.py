"""Conflicts of a contest's judges, read from the database and checked with the pure rules
of contest/judging/conflicts.py: for automatic and manual assignment, recusal's
replacement, the organiser's conflicts page and the round's conflicts API.

A contest's conflict context (families, each judge's ties, declared conflicts, the
organiser's exceptions) is read in a handful of queries, whatever the size of the round.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlmodel import Session, col

from contest.core.i18n import _
from contest.judging.conflicts import (
    EntrySide,
    Families,
    Kind,
    Match,
    Party,
    entry_keys,
    match,
    party_keys,
)
from contest.judging.solver import EntryRef, JudgeRef
from contest.models import (
    Conflict,
    ConflictException,
    Entry,
    InstitutionFamily,
    Judge,
    NamedConflict,
)


@dataclass(frozen=True)
class ConflictContext:
    """Everything the rules need about a contest's panel, loaded once."""

    families: Families
    parties: dict[int, Party]  # judge id -> the judge's ties
    keys: dict[int, frozenset[str]]  # judge id -> conflict keys
    waived: dict[int, frozenset[int]]  # entry id -> judges the organiser allowed
    declared: dict[int, frozenset[int]]  # entry id -> judges who declared a conflict
    # Deactivated judges: their conflicts still count, but they get no new assignments.
    inactive: frozenset[int] = frozenset()

    def judge_refs(self) -> list[JudgeRef]:
        """The judges who may be given entries (active ones)."""
        active = [j for j in sorted(self.parties) if j not in self.inactive]
        return [JudgeRef(id=j, keys=self.keys[j]) for j in active]

    def entry_ref(self, side: EntrySide) -> EntryRef:
        return EntryRef(
            id=side.id,
            conflicted_judges=self.declared.get(side.id, frozenset()),
            keys=entry_keys(side, self.families),
            waived_judges=self.waived.get(side.id, frozenset()),
        )

    def reason(self, judge_id: int, side: EntrySide) -> Match | None:
        """Why this judge may not score this entry, or None (an exception waives a
        detected conflict, never a declared one)."""
        party = self.parties.get(judge_id)
        if party is None:
            return None
        found = match(party, side, self.families)
        if found is None or found.kind == Kind.declared_entry:
            return found
        return None if judge_id in self.waived.get(side.id, frozenset()) else found


def families_of(db: Session, contest_id: int) -> Families:
    of_contest = col(InstitutionFamily.contest_id) == contest_id
    return Families(db.scalars(select(col(InstitutionFamily.members)).where(of_contest)))


def _by_entry(rows: Iterable[tuple[int, int]]) -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for judge_id, entry_id in rows:
        found[entry_id].add(judge_id)
    return {entry_id: frozenset(ids) for entry_id, ids in found.items()}


def _of_contest(contest_id: int) -> Select[int]:
    return select(col(Judge.id)).where(col(Judge.contest_id) == contest_id)


def _named(db: Session, contest_id: int) -> dict[int, list[NamedConflict]]:
    found: dict[int, list[NamedConflict]] = defaultdict(list)
    for item in db.scalars(
        select(NamedConflict).where(col(NamedConflict.judge_id).in_(_of_contest(contest_id)))
    ):
        found[item.judge_id].append(item)
    return found


def _party(judge: Judge, named: list[NamedConflict], declared: frozenset[int]) -> Party:
    return Party(
        id=judge.id,
        institution=judge.institution,
        affiliations=tuple(judge.affiliations or ()),
        companies=tuple(
            (str(c.get("name", "")), str(c.get("credit_code", "")))
            for c in judge.companies or ()
        ),
        declared_names=tuple(n.institution for n in named if n.institution),
        declared_codes=tuple(n.credit_code for n in named if n.credit_code),
        declared_entries=declared,
    )


def load_context(db: Session, contest_id: int) -> ConflictContext:
    """The contest's conflict context in five queries."""
    families = families_of(db, contest_id)
    in_contest = col(Conflict.judge_id).in_(_of_contest(contest_id))
    pairs = db.execute(select(col(Conflict.judge_id), col(Conflict.entry_id)).where(in_contest))
    declared = _by_entry((j, e) for j, e in pairs)
    by_judge: dict[int, set[int]] = defaultdict(set)
    for entry_id, judges in declared.items():
        for judge_id in judges:
            by_judge[judge_id].add(entry_id)
    waived = _by_entry(
        (j, e)
        for j, e in db.execute(
            select(col(ConflictException.judge_id), col(ConflictException.entry_id)).where(
                col(ConflictException.judge_id).in_(_of_contest(contest_id))
            )
        )
    )
    named = _named(db, contest_id)
    panel = db.scalars(select(Judge).where(col(Judge.contest_id) == contest_id)).all()
    parties = {
        j.id: _party(j, named.get(j.id, []), frozenset(by_judge.get(j.id, ()))) for j in panel
    }
    keys = {j: party_keys(p, families) for j, p in parties.items()}
    inactive = frozenset(j.id for j in panel if not j.active)
    return ConflictContext(families, parties, keys, waived, declared, inactive)


def entry_sides(db: Session, entry_ids: Select[int] | Sequence[int]) -> list[EntrySide]:
    rows = db.execute(
        select(
            col(Entry.id), col(Entry.institution), col(Entry.company_name), col(Entry.credit_code)
        )
        .where(col(Entry.id).in_(entry_ids))
        .order_by(col(Entry.id))
    ).all()
    return [EntrySide(*row) for row in rows]


def entry_side(entry: Entry) -> EntrySide:
    return EntrySide(entry.id, entry.institution, entry.company_name, entry.credit_code)


def reason_text(found: Match) -> str:
    """The reason in words, naming what was compared."""
    names = {"judge": found.party_name, "entry": found.entry_name}
    texts = {
        Kind.same_institution: _("Same institution: %(judge)s and %(entry)s."),
        Kind.same_family: _("Same family of institutions: %(judge)s and %(entry)s."),
        Kind.company: _("The judge declared a tie to the company %(judge)s (entry: %(entry)s)."),
        Kind.credit_code: _(
            "The judge declared a company with this entry's credit code %(entry)s."
        ),
        Kind.declared_name: _("The judge declared a conflict with %(judge)s (entry: %(entry)s)."),
        Kind.declared_entry: _("The judge declared a conflict with this entry."),
    }
    return texts[found.kind] % names
