"""Entries: creating, changing and withdrawing them, each change audited.

Teams act on their own entry while registration is open; organisers act on any
entry of their contests at any time. Every create and update runs the whole
eligibility check (contest/entries/eligibility.py) and changes nothing when it fails.
"""

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from contest.consent import service as consent
from contest.core import audit
from contest.core.enums import ContestStatus, EntryStatus, Role
from contest.core.errors import FieldError, InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.validation import invalid_input
from contest.entries import eligibility
from contest.entries.schemas import EntryCreate, EntryFields, EntryUpdate
from contest.models import (
    Award,
    Contest,
    Entry,
    EntryMember,
    Round,
    RoundEntry,
    Track,
    User,
    utcnow,
)
from contest.notices import events as notice_events
from contest.setup.access import organises
from contest.setup.contests import registration_open, track_by_code, tracks
from contest.setup.rounds import first_round

# Founding-date limits count calendar days where the contest runs.
CONTEST_ZONE = ZoneInfo("Asia/Shanghai")

VALUE_FIELDS = (
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
)
AUDITED = ("track_id", *VALUE_FIELDS)


def today() -> date:
    return utcnow().astimezone(CONTEST_ZONE).date()


def reference_day(contest: Contest) -> date:
    """The day eligibility is judged on: today, or the registration deadline once it has
    passed, so a company's age is what it was when the contest took entries (an entry
    edited after the deadline does not age out of its track)."""
    now = today()
    closes = contest.registration_closes_at
    if closes is None:
        return now
    return min(now, closes.astimezone(CONTEST_ZONE).date())


def candidate(data: EntryFields) -> eligibility.Candidate:
    return eligibility.Candidate(**{name: getattr(data, name) for name in VALUE_FIELDS})


def track_rules(track: Track) -> eligibility.TrackRules:
    return eligibility.TrackRules(track.requires_company, track.max_company_age_years)


def normalised_values(data: EntryFields) -> dict[str, Any]:
    """The values as stored: codes upper case, phones in one format, e-mail in lower case."""
    values = {name: getattr(data, name) for name in VALUE_FIELDS}
    values["credit_code"] = eligibility.normalise_credit_code(data.credit_code)
    values["leader_phone"] = eligibility.normalise_phone(data.leader_phone) or data.leader_phone
    values["leader_email"] = data.leader_email.lower()
    return values


def taken_titles(db: Session, contest_id: int, *, exclude_id: int | None = None) -> set[str]:
    """Title keys of the contest's entries (withdrawn ones too: a title stays taken)."""
    query = select(col(Entry.title)).where(col(Entry.contest_id) == contest_id)
    if exclude_id is not None:
        query = query.where(col(Entry.id) != exclude_id)
    return {eligibility.title_key(title) for title in db.scalars(query)}


def _track_error(db: Session, contest_id: int, code: str) -> FieldError:
    if not code:
        return FieldError(("track_code",), _("Choose a track."), "missing")
    codes = ", ".join(t.code for t in tracks(db, contest_id))
    message = _("Unknown track. This contest's tracks are: %(codes)s.") % {"codes": codes}
    return FieldError(("track_code",), message, "unknown")


def _team_limit_error(db: Session, contest: Contest, owner: User) -> FieldError | None:
    held = db.scalar(
        select(func.count())
        .select_from(Entry)
        .where(
            col(Entry.contest_id) == contest.id,
            col(Entry.owner_id) == owner.id,
            col(Entry.withdrawn_at).is_(None),
        )
    )
    if (held or 0) < contest.max_entries_per_team:
        return None
    message = _("Your team already has %(n)s entry(ies) in this contest, the most allowed.") % {
        "n": held
    }
    return FieldError(("contest_id",), message, "limit")


def check_entry(
    db: Session,
    *,
    contest: Contest,
    data: EntryCreate,
    entry: Entry | None = None,
    owner: User | None = None,
) -> Track:
    """Every rule at once; raises InvalidInput listing each bad field, else returns the track."""
    track = track_by_code(db, contest.id, data.track_code) if data.track_code else None
    errors: list[FieldError] = [] if track else [_track_error(db, contest.id, data.track_code)]
    rules = track_rules(track) if track else None
    errors.extend(eligibility.check(candidate(data), rules, today=reference_day(contest)))
    taken = taken_titles(db, contest.id, exclude_id=entry.id if entry else None)
    duplicate = eligibility.duplicate_title(data.title, taken)
    if duplicate:
        errors.append(duplicate)
    if owner is not None and entry is None:
        limit = _team_limit_error(db, contest, owner)
        if limit:
            errors.append(limit)
    if errors or track is None:
        raise InvalidInput(errors)
    return track


def parse_entry(
    db: Session,
    *,
    contest: Contest,
    raw: dict[str, Any],
    entry: Entry | None = None,
    owner: User | None = None,
) -> EntryCreate:
    """A form's values as EntryCreate, or every complaint at once: types and lengths, and
    the eligibility rules for the fields that did parse."""
    try:
        return EntryCreate.model_validate(raw)
    except ValidationError as exc:
        errors = list(invalid_input(exc).errors)
    bad = {error.loc[0] for error in errors}
    partial = EntryCreate.model_validate({k: v for k, v in raw.items() if k not in bad})
    try:
        check_entry(db, contest=contest, data=partial, entry=entry, owner=owner)
    except InvalidInput as more:
        errors.extend(error for error in more.errors if error.loc[0] not in bad)
    raise InvalidInput(errors)


def require_registration_open(contest: Contest) -> None:
    if not registration_open(contest):
        raise StateConflict(
            _("Registration for this contest is closed; entries can no longer change.")
        )


def require_not_withdrawn(entry: Entry) -> None:
    if entry.withdrawn_at is not None:
        raise StateConflict(_("This entry has been withdrawn and can no longer change."))


def acts_as_team(db: Session, actor: User, entry: Entry) -> bool:
    """A team acting on its entry is bound by the registration window; organisers are not."""
    return not organises(db, actor, entry.contest_id)


def member_names(db: Session, entry_id: int) -> list[str]:
    return list(
        db.scalars(
            select(col(EntryMember.name))
            .where(col(EntryMember.entry_id) == entry_id)
            .order_by(col(EntryMember.position))
        )
    )


def _set_members(db: Session, entry: Entry, names: Sequence[str]) -> None:
    db.execute(delete(EntryMember).where(col(EntryMember.entry_id) == entry.id))
    if names:
        db.execute(
            insert(EntryMember),
            [{"entry_id": entry.id, "position": i, "name": n} for i, n in enumerate(names)],
        )


def _flush_title(db: Session) -> None:
    """Flush; two teams racing for one title meet the unique index, answered as a field error."""
    try:
        with db.begin_nested():
            db.flush()
    except IntegrityError:
        raise InvalidInput.single(
            "title", _("Another entry of this contest already has this title."), "duplicate"
        ) from None


def enrol_in_first_round(db: Session, entry: Entry) -> None:
    first = first_round(db, entry.contest_id)
    if first is not None:
        db.add(RoundEntry(round_id=first.id, entry_id=entry.id, status=EntryStatus.in_))


def late_reason_missing(*, imported: bool = False) -> InvalidInput:
    """Entries added after a round opened (one by one or imported) need a reason."""
    if imported:
        message = _("A round has opened: say why these entries are added late (it is audited).")
    else:
        message = _("A round has opened: say why this entry is added late (it is audited).")
    return InvalidInput.single("late_reason", message)


def create_entry(
    db: Session,
    *,
    actor: User,
    contest: Contest,
    data: EntryCreate,
    late_reason: str = "",
    privacy_consent: bool | None = None,
    consent_required: bool = False,
) -> Entry:
    """A team's entry (for itself, while registration is open) or one an organiser adds.

    `privacy_consent`: the team agreed to the contest's privacy notice (an organiser
    entering for a team confirms the team did); recorded with the notice's version. False
    is refused (422 naming it), and so is none when `consent_required` (contest/consent)."""
    owner = actor if actor.role == Role.team else None
    late = rounds_opened(db, contest.id)
    if owner is not None:
        require_not_sealed(db, contest)
        require_registration_open(contest)
    elif late and not late_reason.strip():
        raise late_reason_missing()
    agreed, refusal = consent.answer(privacy_consent, required=consent_required)
    try:
        track = check_entry(db, contest=contest, data=data, owner=owner)
    except InvalidInput as exc:
        raise InvalidInput([*exc.errors, *refusal]) from None
    if refusal:
        raise InvalidInput(refusal)
    entry = Entry(
        contest_id=contest.id,
        track_id=track.id,
        owner_id=owner.id if owner else None,
        **normalised_values(data),
    )
    db.add(entry)
    _flush_title(db)
    _set_members(db, entry, data.members)
    enrol_in_first_round(db, entry)
    if agreed:
        consent.record_for_entry(db, contest, entry)
    after = {
        **audit.snapshot(entry, AUDITED),
        "members": list(data.members),
        "privacy_version": entry.privacy_version,
    }
    audit.record(
        db, actor=actor, action="entry.late_create" if late else "entry.create", obj=entry,
        after=after, reason=late_reason.strip() if late else "",
    )
    db.flush()
    if owner is not None:  # entries an organiser adds or imports are not announced
        notice_events.entry_submitted(
            db, owner=owner, contest_id=contest.id, entry_title=entry.title, at=utcnow()
        )
    return entry


def require_not_sealed(db: Session, contest: Contest) -> None:
    """A team adds no entry once a round has opened (409); an organiser may, with a reason."""
    if rounds_opened(db, contest.id):
        raise StateConflict(_("Registration has closed: the contest's first round has opened."))


def rounds_opened(db: Session, contest_id: int) -> bool:
    """Has any round of the contest opened? Then its entries are sealed (docs/rules.md)."""
    found = db.scalar(
        select(col(Round.id))
        .where(
            col(Round.contest_id) == contest_id,
            col(Round.opens_at).is_not(None),
            col(Round.opens_at) <= utcnow(),
        )
        .limit(1)
    )
    return found is not None


def current_values(db: Session, entry: Entry) -> dict[str, Any]:
    """The entry as EntryCreate fields, to merge a partial update into."""
    track = db.get(Track, entry.track_id)
    values = {name: getattr(entry, name) for name in VALUE_FIELDS}
    values["track_code"] = track.code if track else ""
    values["members"] = member_names(db, entry.id)
    return values


def _merged(db: Session, entry: Entry, data: EntryUpdate) -> EntryCreate:
    changes = data.model_dump(exclude_unset=True, exclude={"reason"})
    if changes.get("track_code") is None:
        changes.pop("track_code", None)
    for name, value in changes.items():
        # An explicit null clears a field, as an empty value would.
        if value is None and name != "founded_on":
            changes[name] = [] if name == "members" else ""
    return EntryCreate.model_validate({**current_values(db, entry), **changes})


def update_entry(db: Session, *, actor: User, entry: Entry, data: EntryUpdate) -> Entry:
    """Change an entry: the team while registration is open, organisers at any time."""
    contest = db.get(Contest, entry.contest_id)
    assert contest is not None
    if acts_as_team(db, actor, entry):
        require_registration_open(contest)
        require_not_withdrawn(entry)
    merged = _merged(db, entry, data)
    track = check_entry(db, contest=contest, data=merged, entry=entry)
    before = {**audit.snapshot(entry, AUDITED), "members": member_names(db, entry.id)}
    entry.track_id = track.id
    for name, value in normalised_values(merged).items():
        setattr(entry, name, value)
    after = {**audit.snapshot(entry, AUDITED), "members": list(merged.members)}
    old, new = audit.changes(before, after)
    if not new:
        return entry
    if "members" in new:
        _set_members(db, entry, merged.members)
    entry.updated_at = utcnow()
    _flush_title(db)
    audit.record(
        db, actor=actor, action="entry.update", obj=entry, before=old, after=new, reason=data.reason
    )
    db.flush()
    return entry


def withdraw_entry(db: Session, *, actor: User, entry: Entry, reason: str = "") -> Entry:
    """Withdraw from the contest: the entry leaves every round it is still in."""
    require_not_withdrawn(entry)
    contest = db.get(Contest, entry.contest_id)
    assert contest is not None
    if acts_as_team(db, actor, entry) and contest.status == ContestStatus.finished:
        raise StateConflict(_("The contest has finished; entries can no longer be withdrawn."))
    if has_published_award(db, entry.id):
        # The award is public and its certificate verifiable: withdrawing would leave a
        # published winner outside the contest. Revoking the certificate is the way out.
        raise StateConflict(awarded_cannot_withdraw())
    entry.withdrawn_at = utcnow()
    db.execute(
        update(RoundEntry)
        .where(col(RoundEntry.entry_id) == entry.id, col(RoundEntry.status) == EntryStatus.in_)
        .values(status=EntryStatus.withdrawn)
    )
    audit.record(
        db,
        actor=actor,
        action="entry.withdraw",
        obj=entry,
        after={"withdrawn_at": entry.withdrawn_at},
        reason=reason,
    )
    db.flush()
    return entry


def awarded_cannot_withdraw() -> str:
    return _(
        "This entry has a published award and cannot be withdrawn; "
        "revoke its certificate instead."
    )


def has_published_award(db: Session, entry_id: int) -> bool:
    found = db.scalar(
        select(col(Award.id)).where(
            col(Award.entry_id) == entry_id, col(Award.published_at).is_not(None)
        )
    )
    return found is not None


def can_team_edit(contest: Contest, entry: Entry) -> bool:
    return registration_open(contest) and entry.withdrawn_at is None


def team_entry_count(db: Session, user: User, contest_id: int) -> int:
    count = db.scalar(
        select(func.count())
        .select_from(Entry)
        .where(
            col(Entry.contest_id) == contest_id,
            col(Entry.owner_id) == user.id,
            col(Entry.withdrawn_at).is_(None),
        )
    )
    return count or 0


def can_team_withdraw(contest: Contest, entry: Entry) -> bool:
    """What withdraw_entry allows a team: until the contest has finished."""
    return contest.status != ContestStatus.finished and entry.withdrawn_at is None
