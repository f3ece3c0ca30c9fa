"""The audit log as an organiser reads it: actions and objects in words, the contest's
time zone, who, and before/after as a list of changed fields; filters and a CSV.

The stored records keep their machine names (`awards.publish`, `live_states` #3, JSON
before/after): the API returns them as they are. This module only reads them for
people. An action or field it does not know is shown by its id, never hidden.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core.enums import DealKind, InterestLevel, Tier
from contest.core.i18n import _
from contest.core.labels import deal_kind_label, interest_label, tier_label
from contest.models import (
    AuditRecord,
    Contest,
    Document,
    Entry,
    Judge,
    Round,
    Track,
    User,
)

PER_PAGE = 100
CSV_LIMIT = 100_000


def action_labels() -> dict[str, str]:
    return {
        "contest.create": _("Contest created"),
        "contest.update": _("Contest settings changed"),
        "contest.copy": _("Contest copied from another"),
        "track.create": _("Track added"),
        "track.update": _("Track changed"),
        "round.create": _("Round added"),
        "round.update": _("Round settings changed"),
        "round.open": _("Round opened"),
        "round.close": _("Round closed"),
        "round.publish_feedback": _("Judges' feedback published"),
        "round.redraw": _("Pitch order drawn again"),
        "judge.add": _("Judge added"),
        "judge.update": _("Judge changed"),
        "judge.deactivate": _("Judge deactivated"),
        "judge.reactivate": _("Judge reactivated"),
        "judge.remove": _("Judge removed"),
        "conflict.declare": _("Conflict of interest recorded"),
        "assignment.add": _("Entry assigned to a judge"),
        "assignment.auto": _("Automatic assignment"),
        "assignment.recuse": _("Judge recused"),
        "assignment.remove": _("Assignment removed"),
        "assignment.reassign": _("Assignment moved to another judge"),
        "assignment.release": _("Assignment handed to another judge"),
        "sheet.submit": _("Score sheet submitted"),
        "sheet.reopen": _("Score sheet reopened"),
        "entry.create": _("Entry created"),
        "entry.update": _("Entry changed"),
        "entry.withdraw": _("Entry withdrawn"),
        "entry.late_create": _("Entry added late"),
        "entry.import": _("Entries imported"),
        "entry.late_import": _("Entries imported late"),
        "entry.add_to_round": _("Entry added to a round"),
        "document.upload": _("Document uploaded"),
        "document.replace": _("Document replaced"),
        "advancement.confirm": _("Advancement confirmed"),
        "advancement.publish": _("Advancement published"),
        "awards.save": _("Awards saved"),
        "awards.publish": _("Awards published"),
        "certificate.revoke": _("Certificate revoked"),
        # contest/live/service.py records `live.<Action>`.
        "live.start": _("Live final: pitch started"),
        "live.qa": _("Live final: Q&A started"),
        "live.score": _("Live final: scoring opened"),
        "live.reveal": _("Live final: score revealed"),
        "live.next": _("Live final: next entry"),
        "live.finish": _("Live final: finished"),
        # contest/publications and contest/objections (公示, 异议).
        "publication.publish": _("Publication recorded"),
        "publication.withdraw": _("Publication withdrawn"),
        "objection.file": _("Objection filed"),
        "objection.answer": _("Objection answered"),
        "objection.decide": _("Objection decided"),
        "objection.document": _("Objection evidence uploaded"),
        "round.draw": _("Pitch order drawn"),
        "account.send_link": _("Log-in link sent"),
        "conflict.exception": _("Conflict rule waived for a judge"),
        "conflict.exception_remove": _("Conflict waiver removed"),
        "judge.declarations": _("Judge declared affiliations"),
        "family.add": _("Related organisations linked"),
        "family.remove": _("Related organisations unlinked"),
        "team.add": _("Organiser added to the team"),
        "team.remove": _("Organiser removed from the team"),
        "consent.set": _("Team consent changed"),
        "privacy_notice.update": _("Privacy notice changed"),
        "personal_data.export": _("Personal data exported"),
        "personal_data.erase": _("Personal data erased"),
        "investor.invite": _("Investor invited"),
        "investor.stakes": _("Investor's holdings declared"),
        "interest.mark": _("Investor marked a project"),
        "interest.remove": _("Investor's mark removed"),
        "meeting.request": _("Meeting requested"),
        "deal.record": _("Deal recorded"),
        "deal.document": _("Deal document attached"),
        "deal.withdraw": _("Deal withdrawn"),
    }


def object_labels() -> dict[str, str]:
    return {
        "contests": _("Contest"),
        "tracks": _("Track"),
        "rounds": _("Round"),
        "criteria": _("Criterion"),
        "judges": _("Judge"),
        "conflicts": _("Conflict of interest"),
        "assignments": _("Assignment"),
        "score_sheets": _("Score sheet"),
        "entries": _("Entry"),
        "documents": _("Document"),
        "advancements": _("Advancement"),
        "awards": _("Award"),
        "certificates": _("Certificate"),
        "live_states": _("Live final"),
        "draws": _("Pitch order"),
        "users": _("Account"),
        "publications": _("Publication"),
        "objections": _("Objection"),
        "investors": _("Investor"),
        "investor_interests": _("Investor's mark"),
        "deals": _("Deal"),
        "entry_consents": _("Team consent"),
        "conflict_exceptions": _("Conflict waiver"),
        "named_conflicts": _("Declared conflict"),
        "institution_families": _("Related organisations"),
        "contest_organisers": _("Organiser team"),
        "privacy_notices": _("Privacy notice"),
        "round_entries": _("Entry in a round"),
        "user": _("Account"),
    }


def field_labels() -> dict[str, str]:
    return {
        "name": _("Name"), "name_en": _("English name"), "title": _("Title"),
        "status": _("Status"), "phase": _("Phase"), "reason": _("Reason"),
        "opens_at": _("Opens at"), "closes_at": _("Closes at"),
        "registration_opens_at": _("Registration opens"),
        "registration_closes_at": _("Registration closes"),
        "judges_per_entry": _("Judges per entry"), "aggregation": _("Aggregation"),
        "advance_count": _("Entries advancing"), "blind": _("Blind review"),
        "current_entry_id": _("Current entry"), "pitch_started_at": _("Pitch started"),
        "qa_started_at": _("Q&A started"), "revision": _("Revision"),
        "withdrawn_at": _("Withdrawn at"), "filename": _("File"), "kind": _("Kind"),
        "entry_ids": _("Entries"), "count": _("Count"), "tier": _("Award"),
        "institution": _("Institution"), "city": _("City"), "summary": _("Summary"),
        "leader_name": _("Project leader"), "leader_phone": _("Leader's phone"),
        "leader_email": _("Leader's e-mail"), "company_name": _("Company name"),
        "credit_code": _("Unified social credit code"), "track_code": _("Track"),
        "total_tenths": _("Total"), "comment": _("Comment"), "judge_id": _("Judge"),
        "entry_id": _("Entry"), "round_id": _("Round"), "round": _("Round"),
        "active": _("Active"), "code": _("Certificate code"),
        "published_at": _("Published at"), "advanced": _("Advanced"),
        "eliminated": _("Not advanced"),
        "year": _("Year"), "edition": _("Edition"),
        "copied_from": _("Copied from"), "copied_from_id": _("Copied from (number)"),
        "tracks": _("Tracks"), "rounds": _("Rounds"), "criteria": _("Criteria"),
        "judges": _("Judges"),
        "id": _("Number"), "series": _("Series"), "description": _("Description"),
        "organisers": _("Organisers"), "max_entries_per_team": _("Entries per team (at most)"),
        "objection_days": _("Objection period (days)"),
        "results_published_at": _("Results published at"), "created_at": _("Created at"),
        "contest_id": _("Contest"), "requires_company": _("Company required"),
        "max_company_age_years": _("Company age (years, at most)"), "position": _("Position"),
        "mode": _("Mode"), "trim_min_judges": _("Judges needed to trim"),
        "normalization": _("Normalisation"), "carry_over_weight": _("Carry-over weight"),
        "pitch_seconds": _("Pitch (seconds)"), "qa_seconds": _("Q&A (seconds)"),
        "feedback_published_at": _("Feedback published at"), "email": _("E-mail"),
        "user_id": _("Account"), "expertise": _("Expertise"), "affiliations": _("Affiliations"),
        "companies": _("Companies"), "declared_at": _("Declared at"), "size": _("Size (bytes)"),
        "sha256": _("Checksum (SHA-256)"), "cleaned": _("Cleaned for blind review"),
        "added": _("Added"), "kept": _("Kept"), "replaced": _("Replaced"), "seed": _("Seed"),
        "min_load": _("Fewest per judge"), "max_load": _("Most per judge"),
        "rebalance": _("Rebalanced"), "next_round_id": _("Next round"),
        "enrolled": _("Entered into the next round"),
        "unenrolled": _("Taken out of the next round"),
        "counts": _("Counts"), "per_track": _("Per track"),
        "differs_from_preview": _("Differs from the preview"), "removed": _("Removed"),
        "preview": _("Preview"), "version": _("Version"), "order": _("Order"),
        "scope": _("Scope"), "tiers": _("Awards"), "resolve": _("Ties resolved"),
        "issued_on": _("Issued on"), "organisation": _("Organisation"),
        "stakes": _("Holdings"), "created_by_id": _("Created by"), "level": _("Interest"),
        "share_business_plan": _("Business plan shared"), "contact": _("Contact"),
        "publish_deals": _("Deals may be published"), "partner": _("Partner"),
        "amount_wan": _("Amount (10,000 yuan)"), "signed_on": _("Signed on"), "note": _("Note"),
        "public": _("Public"), "publication_id": _("Publication"), "answer": _("Answer"),
        "state": _("State"), "decision": _("Decision"), "assignments": _("Assignments"),
        "entries": _("Entries"), "awards": _("Awards"), "rank": _("Rank"),
    }  # fmt: skip


def value_labels() -> dict[str, dict[str, str]]:
    """Stored enum values in words, per field (the same word means different things:
    an objection's "open" is not a contest's)."""
    kinds = {
        "preliminary": _("Preliminary"), "semifinal": _("Semifinal"), "final": _("Final"),
        "advancement": _("Advancement list"), "awards": _("Award list"),
        "business_plan": _("Business plan"), "pitch_deck": _("Pitch deck"), "other": _("Other"),
        **{kind.value: deal_kind_label(kind) for kind in DealKind},
    }
    return {
        "kind": kinds,
        "status": {
            "draft": _("Draft"), "open": _("Registration open"), "judging": _("Judging"),
            "finished": _("Finished"), "in": _("In the round"), "advanced": _("Advanced"),
            "eliminated": _("Not advanced"), "withdrawn": _("Withdrawn"),
            "submitted": _("Submitted"),
        },
        "state": {
            "open": _("Awaiting a decision"), "upheld": _("Upheld"), "rejected": _("Rejected"),
            "draft": _("Draft"), "submitted": _("Submitted"),
        },
        "phase": {
            "waiting": _("Waiting"), "pitching": _("Pitching"), "scoring": _("Scoring"),
            "revealed": _("Score shown"), "finished": _("Finished"),
        },
        "mode": {"online_review": _("Online review"), "roadshow": _("Live roadshow")},
        "aggregation": {"trimmed_mean": _("Trimmed mean"), "mean": _("Mean")},
        "normalization": {"none": _("None"), "zscore": _("Z-score per judge")},
        "tier": {tier.value: tier_label(tier) for tier in Tier},
        "scope": {"per_track": _("Per track"), "overall": _("Overall")},
        "level": {level.value: interest_label(level) for level in InterestLevel},
    }  # fmt: skip


@dataclass
class AuditFilters:
    action: str = ""
    actor: str = ""  # a user id, or "system"
    object: str = ""  # an object type (table name)
    since: str = ""  # YYYY-MM-DD, in the contest's time zone
    until: str = ""

    @classmethod
    def from_mapping(cls, values: dict[str, str]) -> "AuditFilters":
        return cls(**{f.name: (values.get(f.name) or "").strip()[:64] for f in fields(cls)})

    def as_query(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


@dataclass
class Change:
    field: str
    label: str
    before: str
    after: str


@dataclass
class AuditLine:
    record: AuditRecord
    actor: User | None
    when: datetime
    action_label: str
    object_label: str
    object_name: str
    changes: list[Change] = field(default_factory=list)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _query(contest_id: int, filters: AuditFilters, zone: ZoneInfo) -> Any:
    query = (
        select(AuditRecord, User)
        .outerjoin(User, col(User.id) == AuditRecord.actor_id)
        .where(col(AuditRecord.contest_id) == contest_id)
    )
    if filters.action:
        query = query.where(col(AuditRecord.action) == filters.action)
    if filters.object:
        query = query.where(col(AuditRecord.object_type) == filters.object)
    if filters.actor == "system":
        query = query.where(col(AuditRecord.actor_id).is_(None))
    elif filters.actor.isascii() and filters.actor.isdigit() and len(filters.actor) < 10:
        query = query.where(col(AuditRecord.actor_id) == int(filters.actor))
    since, until = _day(filters.since), _day(filters.until)
    # Days are the contest's days: 2023-11-07 runs from 00:00 to 24:00 in its time zone.
    if since is not None:
        query = query.where(col(AuditRecord.at) >= datetime.combine(since, time(), zone))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time(), zone)
        query = query.where(col(AuditRecord.at) < end)
    return query.order_by(col(AuditRecord.at).desc(), col(AuditRecord.id).desc())


def filter_choices(db: Session, contest_id: int) -> dict[str, list[tuple[str, str]]]:
    """What the filters offer: the actions, people and objects present in this log."""
    where = col(AuditRecord.contest_id) == contest_id
    actions = db.scalars(select(col(AuditRecord.action)).where(where).distinct()).all()
    objects = db.scalars(select(col(AuditRecord.object_type)).where(where).distinct()).all()
    people = db.execute(
        select(col(User.id), col(User.name))
        .join(AuditRecord, col(AuditRecord.actor_id) == User.id)
        .where(where)
        .distinct()
        .order_by(col(User.name))
    ).all()
    action_names, object_names = action_labels(), object_labels()
    return {
        "action": sorted(((a, action_names.get(a, a)) for a in actions), key=lambda p: p[1]),
        "object": sorted(((o, object_names.get(o, o)) for o in objects), key=lambda p: p[1]),
        "actor": [(str(i), name) for i, name in people] + [("system", _("system"))],
    }


def _names(
    db: Session, table: type[Any], ids: set[int], label: Callable[[Any], str]
) -> dict[int, str]:
    if not ids:
        return {}
    return {row.id: label(row) for row in db.scalars(select(table).where(col(table.id).in_(ids)))}


def _object_names(db: Session, records: Sequence[AuditRecord]) -> dict[tuple[str, int], str]:
    """A readable name for each object on the page, loaded per kind in one query each."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for record in records:
        if record.object_id is not None:
            wanted[record.object_type].add(record.object_id)
    judges = wanted.get("judges", set())
    judge_names = {}
    if judges:
        rows = db.execute(
            select(col(Judge.id), col(User.name))
            .join(User, col(User.id) == Judge.user_id)
            .where(col(Judge.id).in_(judges))
        )
        judge_names = {judge_id: name for judge_id, name in rows}
    loaders: dict[str, dict[int, str]] = {
        "entries": _names(db, Entry, wanted.get("entries", set()),
                          lambda e: f"{_('No. %(id)s') % {'id': e.id}} {e.title}"),
        "rounds": _names(db, Round, wanted.get("rounds", set()), lambda r: r.name),
        # The live final's state is keyed by its round.
        "live_states": _names(db, Round, wanted.get("live_states", set()), lambda r: r.name),
        "tracks": _names(db, Track, wanted.get("tracks", set()), lambda t: t.name),
        "contests": _names(db, Contest, wanted.get("contests", set()), lambda c: c.name),
        "documents": _names(db, Document, wanted.get("documents", set()), lambda d: d.filename),
        "judges": judge_names,
    }  # fmt: skip
    found = {}
    for kind, names in loaders.items():
        for object_id, name in names.items():
            found[(kind, object_id)] = name
    return found


def _value(value: Any, zone: ZoneInfo) -> str:
    """A stored JSON value as a person reads it."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is None or len(value) < 11:
            return value
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, list):
        return "、".join(_value(v, zone) for v in value) or "–"
    if isinstance(value, dict):
        # Nested records (an award line: entry, tier, rank) in the same words as fields.
        labels, values = field_labels(), value_labels()
        return "; ".join(f"{labels.get(k, k)}: {_value(_word(values.get(k, {}), v), zone)}"
                         for k, v in value.items()) or "–"  # fmt: skip
    return str(value)


def _word(words: dict[str, str], value: Any) -> Any:
    return words.get(value, value) if isinstance(value, str) else value


def changes_of(record: AuditRecord, zone: ZoneInfo) -> list[Change]:
    """Before and after, field by field: only fields that differ when both exist."""
    before = record.before if isinstance(record.before, dict) else {}
    after = record.after if isinstance(record.after, dict) else {}
    labels, values = field_labels(), value_labels()
    names = list(dict.fromkeys([*before, *after]))
    found = []
    for name in names:
        old, new = before.get(name), after.get(name)
        if record.before is not None and record.after is not None and old == new:
            continue
        words = values.get(name, {})
        found.append(Change(name, labels.get(name, name),
                            _value(_word(words, old), zone) if name in before else "",
                            _value(_word(words, new), zone) if name in after else ""))  # fmt: skip
    return found


def _lines(db: Session, rows: Sequence[Any], zone: ZoneInfo) -> list[AuditLine]:
    records = [record for record, _actor in rows]
    names = _object_names(db, records)
    actions, objects = action_labels(), object_labels()
    return [
        AuditLine(
            record=record,
            actor=actor,
            when=record.at.astimezone(zone),
            action_label=actions.get(record.action, record.action),
            object_label=objects.get(record.object_type, record.object_type),
            object_name=names.get((record.object_type, record.object_id or 0), ""),
            changes=changes_of(record, zone),
        )
        for record, actor in rows
    ]


def audit_page(
    db: Session, contest_id: int, filters: AuditFilters, zone: ZoneInfo, page: int = 1
) -> tuple[list[AuditLine], bool]:
    """One page of the filtered log, newest first, and whether an older page exists."""
    page = max(page, 1)
    query = _query(contest_id, filters, zone).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)
    rows = db.execute(query).all()
    return _lines(db, rows[:PER_PAGE], zone), len(rows) > PER_PAGE


CSV_HEADERS = ("time", "who", "action", "action_id", "object", "object_id", "object_name",
               "changes", "reason")  # fmt: skip


def csv_rows(
    db: Session, contest_id: int, filters: AuditFilters, zone: ZoneInfo
) -> Iterator[list[str]]:
    """The filtered log for a spreadsheet, newest first, in pages of PER_PAGE*10."""
    query = _query(contest_id, filters, zone)
    batch = PER_PAGE * 10
    for offset in range(0, CSV_LIMIT, batch):
        rows = db.execute(query.limit(batch).offset(offset)).all()
        for line in _lines(db, rows, zone):
            yield _csv_line(line)
        if len(rows) < batch:
            return


def _csv_line(line: AuditLine) -> list[str]:
    record = line.record
    changes = "; ".join(f"{c.label}: {c.before} → {c.after}" if c.before else
                        f"{c.label}: {c.after}" for c in line.changes)  # fmt: skip
    return [
        line.when.strftime("%Y-%m-%d %H:%M:%S"),
        line.actor.name if line.actor else _("system"),
        line.action_label,
        record.action,
        line.object_label,
        "" if record.object_id is None else str(record.object_id),
        line.object_name,
        changes,
        record.reason,
    ]

