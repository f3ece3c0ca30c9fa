"""What each role sees of entries: the API shape, and the team's dashboard.

Everything is loaded per batch of entries (one query per kind of row), so a list
costs the same number of queries for ten entries as for ten thousand.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from contest.core.enums import EntryStatus, Role, SheetState
from contest.entries.documents import current_documents
from contest.entries.listing import among
from contest.entries.schemas import DocumentPublic, EntryPublic, RoundStatus
from contest.entries.service import (
    can_team_edit,
    can_team_withdraw,
    rounds_opened,
    team_entry_count,
)
from contest.judging.blind import BLIND_FIELDS, blind_entries, neutral_filename
from contest.models import (
    Advancement,
    AuditRecord,
    Award,
    Certificate,
    Contest,
    Document,
    Entry,
    EntryMember,
    Objection,
    Publication,
    Round,
    RoundEntry,
    ScoreSheet,
    Track,
    User,
)
from contest.setup.contests import public_contests, registration_open
from contest.setup.rounds import is_closed, is_open

CHUNK = 1000


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def members_by_entry(db: Session, entry_ids: Sequence[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for part in _chunks(entry_ids):
        rows = db.execute(
            select(col(EntryMember.entry_id), col(EntryMember.name))
            .where(among(db, col(EntryMember.entry_id), part))
            .order_by(col(EntryMember.entry_id), col(EntryMember.position))
        )
        for entry_id, name in rows:
            found[entry_id].append(name)
    return found


def documents_by_entry(
    db: Session, entry_ids: Sequence[int], *, current_only: bool = True
) -> dict[int, list[Document]]:
    found: dict[int, list[Document]] = defaultdict(list)
    for part in _chunks(entry_ids):
        query = select(Document).where(col(Document.entry_id).in_(part))
        if current_only:
            query = query.where(col(Document.replaced_at).is_(None))
        for document in db.scalars(query.order_by(col(Document.kind), col(Document.id).desc())):
            found[document.entry_id].append(document)
    return found


@dataclass
class RoundLine:
    """An entry's status in one round, as the viewer may see it."""

    round: Round
    status: EntryStatus
    published: bool

    @property
    def stage(self) -> str:
        """What a team is told while no outcome is published, never ahead of the round:
        `waiting` before it opens, `review` while judges score, `pending` once scoring has
        closed; otherwise the published status (or `withdrawn`)."""
        if self.published or self.status == EntryStatus.withdrawn:
            return str(self.status)  # a plain string when read from the database
        if is_open(self.round):
            return "review"
        if is_closed(self.round):
            return "pending"
        return "waiting"


def published_round_ids(db: Session, round_ids: Iterable[int]) -> set[int]:
    ids = list(set(round_ids))
    if not ids:
        return set()
    return set(
        db.scalars(
            select(col(Advancement.round_id)).where(
                col(Advancement.round_id).in_(ids), col(Advancement.published_at).is_not(None)
            )
        )
    )


def round_lines(
    db: Session, entry_ids: Sequence[int], *, for_team: bool
) -> dict[int, list[RoundLine]]:
    """Each entry's rounds in order. A team sees an outcome only once it is published."""
    rows: list[tuple[RoundEntry, Round]] = []
    for part in _chunks(entry_ids):
        rows.extend(
            db.execute(
                select(RoundEntry, Round)
                .join(Round, col(Round.id) == RoundEntry.round_id)
                .where(col(RoundEntry.entry_id).in_(part))
                .order_by(col(Round.position))
            )
        )
    published = published_round_ids(db, (r.id for _, r in rows))
    found: dict[int, list[RoundLine]] = defaultdict(list)
    for link, round_ in rows:
        shown, is_published = link.status, round_.id in published
        earlier = found[link.entry_id]
        if for_team and earlier and not earlier[-1].published:
            # A place in the next round would reveal an unpublished advancement decision.
            continue
        if for_team and not is_published and shown != EntryStatus.withdrawn:
            shown = EntryStatus.in_
        found[link.entry_id].append(RoundLine(round_, shown, is_published))
    return found


def _document_public(document: Document) -> DocumentPublic:
    return DocumentPublic.model_validate(document, from_attributes=True)


_PLAIN_FIELDS = (
    "id",
    "contest_id",
    "track_id",
    "title",
    "summary",
    "field",
    "institution",
    "city",
    "leader_name",
    "leader_email",
    "leader_phone",
    "company_name",
    "credit_code",
    "founded_on",
    "video_url",
    "owner_id",
    "withdrawn_at",
    "created_at",
    "updated_at",
    "privacy_version",
    "privacy_consented_at",
    "personal_data_erased_at",
)


def entry_publics(db: Session, entries: Sequence[Entry], *, viewer: User) -> list[EntryPublic]:
    """The API shape of entries, as this viewer may see them."""
    ids = [e.id for e in entries if e.id is not None]
    tracks = {
        t.id: t
        for t in db.scalars(select(Track).where(col(Track.id).in_({e.track_id for e in entries})))
    }
    members = members_by_entry(db, ids)
    documents = documents_by_entry(db, ids)
    is_judge = viewer.role == Role.judge
    lines = {} if is_judge else round_lines(db, ids, for_team=viewer.role == Role.team)
    blind = blind_entries(db, viewer, ids) if is_judge else set()
    result = []
    for entry in entries:
        public = EntryPublic(
            **{name: getattr(entry, name) for name in _PLAIN_FIELDS},
            track_code=tracks[entry.track_id].code,
            members=members.get(entry.id, []),
            withdrawn=entry.withdrawn_at is not None,
            documents=[_document_public(d) for d in documents.get(entry.id, [])],
            rounds=[
                RoundStatus(
                    round_id=line.round.id,
                    name=line.round.name,
                    status=line.status,
                    published=line.published,
                )
                for line in lines.get(entry.id, [])
            ],
        )
        if is_judge:
            public = _masked_for_judge(public, blind=entry.id in blind)
        result.append(public)
    return result


def _masked_for_judge(public: EntryPublic, *, blind: bool) -> EntryPublic:
    """Judges never need the leader's contact details; in a blind round nothing that names
    the team either, and documents under neutral names."""
    hidden: dict[str, object] = {
        "leader_email": None,
        "leader_phone": None,
        "owner_id": None,
        "privacy_version": None,
        "privacy_consented_at": None,
    }
    if blind:
        hidden.update(dict.fromkeys(BLIND_FIELDS))
        hidden["documents"] = [blind_document(d) for d in public.documents]
    return public.model_copy(update=hidden)


def blind_document(public: DocumentPublic) -> DocumentPublic:
    """A document as a blind judge lists it: a neutral name, no fingerprint of the upload."""
    return public.model_copy(update={"filename": neutral_filename(public.kind), "sha256": ""})


def documents_as_seen(db: Session, entry: Entry, *, viewer: User) -> list[DocumentPublic]:
    """An entry's current documents; a blind judge gets them under neutral names."""
    found = [_document_public(d) for d in current_documents(db, entry.id)]
    if viewer.role == Role.judge and blind_entries(db, viewer, [entry.id]):
        return [blind_document(d) for d in found]
    return found


def entry_public(db: Session, entry: Entry, *, viewer: User) -> EntryPublic:
    return entry_publics(db, [entry], viewer=viewer)[0]


def team_entries(db: Session, user: User, contest_id: int | None = None) -> list[Entry]:
    query = select(Entry).where(col(Entry.owner_id) == user.id)
    if contest_id is not None:
        query = query.where(col(Entry.contest_id) == contest_id)
    return list(db.scalars(query.order_by(col(Entry.created_at).desc(), col(Entry.id).desc())))


@dataclass
class Feedback:
    """Published comments of one round, judges numbered 1, 2, ... rather than named."""

    round: Round
    comments: list[tuple[int, str]]


@dataclass
class TeamEntryView:
    entry: Entry
    contest: Contest
    track: Track
    members: list[str]
    documents: list[Document]
    rounds: list[RoundLine]
    feedback: list[Feedback] = field(default_factory=list)
    award: Award | None = None
    certificate: Certificate | None = None
    can_edit: bool = False
    can_withdraw: bool = False

    @property
    def has_business_plan(self) -> bool:
        return any(d.kind == "business_plan" for d in self.documents)


@dataclass(frozen=True)
class ObjectionBox:
    """A contest's 公示 as its team follows it on the dashboard: the way to the objections
    page (file one, or read the decisions) and the team's own objections."""

    contest: Contest
    objections: list[Objection]


def objection_boxes(db: Session, user: User, contests: Iterable[Contest]) -> list[ObjectionBox]:
    """One box per contest of the team's entries that has published something (a list or
    the awards, standing or withdrawn) or where the team has objected."""
    by_id = {c.id: c for c in contests}
    if not by_id:
        return []
    published = set(
        db.scalars(
            select(col(Publication.contest_id)).where(col(Publication.contest_id).in_(by_id))
        ).all()
    )
    filed: dict[int, list[Objection]] = defaultdict(list)
    for item in db.scalars(
        select(Objection)
        .where(col(Objection.contest_id).in_(by_id), col(Objection.filed_by_id) == user.id)
        .order_by(col(Objection.created_at), col(Objection.id))
    ):
        filed[item.contest_id].append(item)
    return [
        ObjectionBox(contest, filed.get(contest_id, []))
        for contest_id, contest in by_id.items()
        if contest_id in published or contest_id in filed
    ]


def feedback_by_entry(db: Session, entry_ids: Sequence[int]) -> dict[int, list[Feedback]]:
    rows = db.execute(
        select(col(ScoreSheet.entry_id), col(ScoreSheet.comment), Round)
        .join(Round, col(Round.id) == ScoreSheet.round_id)
        .where(
            col(ScoreSheet.entry_id).in_(entry_ids),
            col(ScoreSheet.state) == SheetState.submitted,
            col(Round.feedback_published_at).is_not(None),
        )
        .order_by(col(Round.position), col(ScoreSheet.judge_id))
    )
    grouped: dict[tuple[int, int], Feedback] = {}
    for entry_id, comment, round_ in rows:
        if not comment.strip():
            continue
        item = grouped.setdefault((entry_id, round_.id), Feedback(round_, []))
        item.comments.append((len(item.comments) + 1, comment))
    found: dict[int, list[Feedback]] = defaultdict(list)
    for (entry_id, _round_id), item in grouped.items():
        found[entry_id].append(item)
    return found


def published_awards(db: Session, entry_ids: Sequence[int]) -> dict[int, Award]:
    awards = db.scalars(
        select(Award).where(
            col(Award.entry_id).in_(entry_ids), col(Award.published_at).is_not(None)
        )
    )
    return {award.entry_id: award for award in awards}


def award_of(db: Session, entry_id: int) -> tuple[Award | None, Certificate | None]:
    """The entry's award (published or not: the organiser's view) and its certificate."""
    found = db.scalar(select(Award).where(col(Award.entry_id) == entry_id))
    if found is None:
        return None, None
    return found, certificates_of(db, [found]).get(found.id)


def certificates_of(db: Session, awards: Iterable[Award]) -> dict[int, Certificate]:
    """award id -> its certificate (one exists for every published award)."""
    ids = [award.id for award in awards]
    if not ids:
        return {}
    rows = db.scalars(select(Certificate).where(col(Certificate.award_id).in_(ids)))
    return {certificate.award_id: certificate for certificate in rows}


def team_dashboard(db: Session, user: User) -> list[TeamEntryView]:
    """Everything a team follows about its entries, newest first."""
    entries = team_entries(db, user)
    ids = [e.id for e in entries if e.id is not None]
    if not ids:
        return []
    contests = {
        c.id: c
        for c in db.scalars(
            select(Contest).where(col(Contest.id).in_({e.contest_id for e in entries}))
        )
    }
    tracks = {
        t.id: t
        for t in db.scalars(select(Track).where(col(Track.id).in_({e.track_id for e in entries})))
    }
    members = members_by_entry(db, ids)
    documents = documents_by_entry(db, ids)
    lines = round_lines(db, ids, for_team=True)
    feedback = feedback_by_entry(db, ids)
    awards = published_awards(db, ids)
    certificates = certificates_of(db, awards.values())
    return [
        TeamEntryView(
            entry=e,
            contest=contests[e.contest_id],
            track=tracks[e.track_id],
            members=members.get(e.id, []),
            documents=documents.get(e.id, []),
            rounds=lines.get(e.id, []),
            feedback=feedback.get(e.id, []),
            award=awards.get(e.id),
            certificate=certificates.get(awards[e.id].id) if e.id in awards else None,
            can_edit=can_team_edit(contests[e.contest_id], e),
            # A published winner stays in the contest (entries.service.withdraw_entry).
            can_withdraw=can_team_withdraw(contests[e.contest_id], e) and e.id not in awards,
        )
        for e in entries
    ]


@dataclass
class OpenContest:
    contest: Contest
    tracks: list[Track]
    can_enter: bool


def contests_to_enter(db: Session, user: User) -> list[OpenContest]:
    """Contests taking registrations in which this team may add an entry (none once its
    first round has opened: its entries are sealed)."""
    found = []
    for contest in public_contests(db):
        if not registration_open(contest) or rounds_opened(db, contest.id):
            continue
        tracks = list(
            db.scalars(
                select(Track)
                .where(col(Track.contest_id) == contest.id)
                .order_by(col(Track.position), col(Track.id))
            )
        )
        if tracks and team_entry_count(db, user, contest.id) < contest.max_entries_per_team:
            found.append(OpenContest(contest, tracks, True))
    return found


def entry_history(
    db: Session, entry: Entry, *, limit: int = 200
) -> list[tuple[AuditRecord, User | None]]:
    """The audit records of the entry and of its documents, newest first."""
    documents = select(col(Document.id)).where(col(Document.entry_id) == entry.id)
    rows = db.execute(
        select(AuditRecord, User)
        .outerjoin(User, col(User.id) == AuditRecord.actor_id)
        .where(
            or_(
                and_(
                    col(AuditRecord.object_type) == "entries",
                    col(AuditRecord.object_id) == entry.id,
                ),
                and_(
                    col(AuditRecord.object_type) == "documents",
                    col(AuditRecord.object_id).in_(documents),
                ),
            )
        )
        .order_by(col(AuditRecord.at).desc(), col(AuditRecord.id).desc())
        .limit(limit)
    )
    return [(record, user) for record, user in rows]
