"""Awards (docs/rules.md 3.9): allocated from the final round's ranking, saved, published.

The final round is the contest's round of kind ``final`` (the last one if several).
Tiers are filled down each ranking (one per track by default, or one overall) by
scoring's ``allocate_awards``; a tie across a tier boundary must be settled by the
organiser (``resolve``: entry id -> tier or None), else nothing is saved and the 409
names the tied entries and the places they span. Saving again replaces the saved
awards until they are published; publishing locks them for good, issues one
certificate per award (random code ``TJ-XXXX-XXXX-XXXX-XXXX``, issued today in
Shanghai) and marks the contest's results published.
"""

import base64
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlmodel import Session, col

from contest.awards import notify
from contest.awards.schemas import AwardsIn
from contest.core import audit
from contest.core.enums import AwardScope, RoundKind, Tier
from contest.core.errors import FieldError, InvalidInput, StateConflict
from contest.core.i18n import _
from contest.core.labels import tier_label as tier_label  # pages use service.tier_label
from contest.models import Award, Certificate, Contest, Entry, Round, Track, User, utcnow
from contest.publications import service as publications
from contest.results import service as results
from contest.results.publication import results_snapshot
from contest.setup import rounds
from contest.setup.contests import tracks as contest_tracks
from scoring import DEFAULT_TIERS, AwardConflict, Ranking, Score, allocate_awards

SHANGHAI = ZoneInfo("Asia/Shanghai")
TIERS = tuple(Tier)


@dataclass(frozen=True)
class AwardRequest:
    """What the organiser asks for: scope, (tier, count) pairs, tie resolutions."""

    scope: AwardScope = AwardScope.per_track
    tiers: tuple[tuple[Tier, int], ...] = DEFAULT_TIERS
    resolve: Mapping[int, Tier | None] = field(default_factory=dict)
    custom_names: Mapping[Tier, str] = field(default_factory=dict)
    custom_names_en: Mapping[Tier, str] = field(default_factory=dict)
    reason: str = ""


def request_of(body: AwardsIn) -> AwardRequest:
    """The request an API body or the awards page's form describes."""
    return AwardRequest(
        scope=AwardScope(body.scope),
        tiers=tuple((Tier(item.tier), item.count) for item in body.tiers),
        resolve={int(e): Tier(t) if t else None for e, t in body.resolve.items()},
        custom_names={Tier(t): name for t, name in body.custom_names.items() if name},
        custom_names_en={Tier(t): name for t, name in body.custom_names_en.items() if name},
        reason=body.reason,
    )


@dataclass(frozen=True, slots=True)
class Planned:
    """An award the allocation gives, before or after saving."""

    entry_id: int
    tier: Tier
    track_code: str
    rank: int | None
    title: str
    institution: str
    score: Score | None
    custom_name: str
    custom_name_en: str = ""


@dataclass(frozen=True)
class Plan:
    """The allocation for a request over the final's ranking(s), or why there is none."""

    final: Round
    request: AwardRequest
    outcome: results.RoundResults
    allocations: tuple[Planned, ...]
    conflict: AwardConflict | None

    @property
    def scopes(self) -> list[str | None]:
        if self.request.scope == AwardScope.overall:
            return [None]
        return list(self.outcome.track_codes)

    def tier_of(self, entry_id: int) -> Tier | None:
        return next((a.tier for a in self.allocations if a.entry_id == entry_id), None)


def final_round(db: Session, contest_id: int) -> Round | None:
    return db.scalars(
        select(Round)
        .where(col(Round.contest_id) == contest_id, col(Round.kind) == RoundKind.final)
        .order_by(col(Round.position).desc())
        .limit(1)
    ).first()


def is_published(db: Session, contest_id: int) -> bool:
    found = db.scalars(
        select(col(Award.id)).where(
            col(Award.contest_id) == contest_id, col(Award.published_at).is_not(None)
        )
    ).first()
    return found is not None


def blocked(db: Session, contest: Contest) -> str | None:
    """Why awards cannot be saved now, for people; None when they can."""
    final = final_round(db, contest.id)
    if final is None:
        return _("This contest has no final round to take the awards from.")
    if is_published(db, contest.id):
        return _("The awards have been published; they can no longer change.")
    if not rounds.is_closed(final):
        return _("The final is not over yet: awards follow its ranking once scoring has closed.")
    return None


def plan(db: Session, *, contest: Contest, request: AwardRequest) -> Plan:
    """Allocate without saving: the preview (works before the final closes, too)."""
    final = final_round(db, contest.id)
    if final is None:
        raise StateConflict(_("This contest has no final round to take the awards from."))
    overall = request.scope == AwardScope.overall
    outcome = results.round_results(db, final, overall=overall)
    _check_resolve(outcome, request.resolve)
    scopes: list[str | None] = [None] if overall else list(outcome.track_codes)
    rankings = [Ranking(s, tuple(line.ranked for line in outcome.lines(s))) for s in scopes]
    allocated = allocate_awards(
        rankings,
        tiers=list(request.tiers),
        resolve=dict(request.resolve),
    )
    if isinstance(allocated, AwardConflict):
        return Plan(final, request, outcome, (), allocated)
    lines = {line.entry_id: line for s in scopes for line in outcome.lines(s)}
    planned = tuple(
        Planned(
            a.entry_id,
            a.tier,
            lines[a.entry_id].track_code,
            lines[a.entry_id].rank,
            lines[a.entry_id].title,
            lines[a.entry_id].institution,
            lines[a.entry_id].score,
            request.custom_names.get(a.tier, ""),
            request.custom_names_en.get(a.tier, ""),
        )
        for a in allocated
    )
    return Plan(final, request, outcome, planned, None)


def _check_resolve(outcome: results.RoundResults, resolve: Mapping[int, Tier | None]) -> None:
    known = {line.entry_id for line in outcome.all_lines()}
    unknown = sorted(set(resolve) - known)
    if unknown:
        raise InvalidInput(
            FieldError(("resolve", str(e)), _("Not a project of the final."), "unknown")
            for e in unknown
        )


def preview_awards(db: Session, *, contest: Contest, request: AwardRequest) -> tuple[Planned, ...]:
    """The allocation a save would make, or the same 409 for an unsettled tie."""
    found = plan(db, contest=contest, request=request)
    if found.conflict is not None:
        raise tie_conflict(found)
    return found.allocations


def save_awards(
    db: Session, *, actor: User, contest: Contest, request: AwardRequest
) -> list["AwardLine"]:
    """Replace the saved (unpublished) awards by the allocation; 409 while a boundary tie
    is unsettled, before the final has closed, or once published."""
    _lock(db, contest)
    publications.refuse_if_standing(db, contest.id, publications.AWARDS)
    why = blocked(db, contest)
    if why is not None:
        raise StateConflict(why)
    found = plan(db, contest=contest, request=request)
    if found.conflict is not None:
        raise tie_conflict(found)
    before = _summary(saved_awards(db, contest.id))
    db.execute(delete(Award).where(col(Award.contest_id) == contest.id))
    tracks = {t.code: t.id for t in contest_tracks(db, contest.id)}
    for item in found.allocations:
        db.add(
            Award(
                contest_id=contest.id,
                entry_id=item.entry_id,
                track_id=tracks.get(item.track_code),
                tier=item.tier,
                scope=request.scope,
                custom_name=item.custom_name,
                custom_name_en=item.custom_name_en,
                rank=item.rank,
            )
        )
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="awards.save",
        object_type="contests",
        object_id=contest.id,
        contest_id=contest.id,
        before={"awards": before} if before else None,
        after={
            "scope": request.scope.value,
            "tiers": {t.value: n for t, n in request.tiers},
            "resolve": {str(e): t.value if t else None for e, t in request.resolve.items()},
            "awards": _summary(saved_awards(db, contest.id)),
        },
        reason=request.reason.strip(),
    )
    return saved_awards(db, contest.id)


def tie_conflict(found: Plan) -> StateConflict:
    """The 409 of an unsettled allocation, naming the tied entries and the places."""
    assert found.conflict is not None
    titles = {line.entry_id: line.title for line in found.outcome.all_lines()}
    names = {t.code: t.name for t in found.outcome.tracks}
    parts = []
    for tie in found.conflict.ties:
        places = ", ".join(tier_label(Tier(p.value)) if p else _("no award") for p in tie.places)
        entries = ", ".join(
            _("%(title)s (no. %(id)s)") % {"title": titles.get(e, ""), "id": e}
            for e in tie.entry_ids
        )
        where = names.get(tie.scope, "") if tie.scope else _("overall")
        parts.append(
            _("%(where)s, rank %(rank)s: %(entries)s share the places %(places)s")
            % {"where": where, "rank": tie.rank, "entries": entries, "places": places}
        )
    if found.conflict.stray_entry_ids:
        parts.append(
            _("not in any tie across a boundary: %(ids)s")
            % {"ids": ", ".join(map(str, found.conflict.stray_entry_ids))}
        )
    message = _(
        "A tie crosses an award boundary; say which award each tied project gets (%(ties)s)."
    ) % {"ties": "; ".join(parts)}
    return StateConflict(
        message,
        ties=[
            {
                "track_code": tie.scope,
                "rank": tie.rank,
                "entry_ids": list(tie.entry_ids),
                "places": [p.value if p else None for p in tie.places],
                "problem": tie.problem.value,
            }
            for tie in found.conflict.ties
        ],
        stray_entry_ids=list(found.conflict.stray_entry_ids),
    )


def certificate_code() -> str:
    """80 random bits in base32, grouped for reading aloud: TJ-XXXX-XXXX-XXXX-XXXX."""
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "TJ-" + "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def today_in_shanghai() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def publish_awards(db: Session, *, actor: User, contest: Contest) -> list["AwardLine"]:
    """Lock the saved awards and issue a certificate for each."""
    _lock(db, contest)
    if is_published(db, contest.id):
        publications.refuse_if_standing(db, contest.id, publications.AWARDS)
        raise StateConflict(_("The awards have already been published."))
    saved = list(db.scalars(select(Award).where(col(Award.contest_id) == contest.id)))
    if not saved:
        raise StateConflict(_("Save the awards before publishing them."))
    now, issued_on = utcnow(), today_in_shanghai()
    _issue_certificates(db, saved, issued_on)
    for award in saved:
        award.published_at = now
        db.add(award)
    contest.results_published_at = now
    db.add(contest)
    db.flush()
    publications.record(
        db,
        actor=actor,
        contest=contest,
        kind=publications.AWARDS,
        round_id=None,
        snapshot=awards_snapshot(db, contest),
    )
    audit.record(
        db,
        actor=actor,
        action="awards.publish",
        object_type="contests",
        object_id=contest.id,
        contest_id=contest.id,
        after={"published_at": now, "issued_on": issued_on, "awards": len(saved)},
    )
    notify.awards_published(db, contest.id)
    return saved_awards(db, contest.id)


# A certificate revoked because its publication was withdrawn says so; publishing the
# same award again reinstates it rather than issuing a second code.
WITHDRAWN_MARK = "publication withdrawn: "


def _issue_certificates(db: Session, saved: Sequence[Award], issued_on: date) -> None:
    held = {
        c.award_id: c
        for c in db.scalars(
            select(Certificate).where(col(Certificate.award_id).in_([a.id for a in saved]))
        )
    }
    fresh = [award for award in saved if award.id not in held]
    codes: set[str] = set()
    while len(codes) < len(fresh):
        codes.add(certificate_code())
    for award, code in zip(fresh, sorted(codes), strict=True):
        db.add(Certificate(award_id=award.id, code=code, issued_on=issued_on))
    for certificate in held.values():
        if certificate.revoked_reason.startswith(WITHDRAWN_MARK):
            certificate.revoked_at, certificate.revoked_reason = None, ""
            certificate.revoked_by_id = None
            db.add(certificate)


def unpublish_awards(db: Session, *, actor: User, contest: Contest, reason: str) -> None:
    """The awards' publication was withdrawn: unlock them (they may be saved again) and
    revoke their certificates, which verify as revoked with the reason until the awards
    are published again."""
    _lock(db, contest)
    now = utcnow()
    saved = list(db.scalars(select(Award).where(col(Award.contest_id) == contest.id)))
    for award in saved:
        award.published_at = None
        db.add(award)
    certificates = db.scalars(
        select(Certificate).where(
            col(Certificate.award_id).in_([a.id for a in saved]),
            col(Certificate.revoked_at).is_(None),
        )
    )
    for certificate in certificates:
        certificate.revoked_at = now
        certificate.revoked_reason = (WITHDRAWN_MARK + reason)[:1000]
        certificate.revoked_by_id = actor.id
        db.add(certificate)
    contest.results_published_at = None
    db.add(contest)
    db.flush()


def awards_snapshot(db: Session, contest: Contest) -> dict[str, Any]:
    """What an awards publication freezes: each award as listed, and the final's results."""
    final = final_round(db, contest.id)
    lines = saved_awards(db, contest.id)
    snapshot: dict[str, Any] = {
        "awards": [
            {
                "entry_id": line.award.entry_id,
                "tier": line.tier.value,
                "scope": str(line.award.scope),
                "custom_name": line.award.custom_name,
                "custom_name_en": line.award.custom_name_en,
                "rank": line.award.rank,
                "track_code": line.track_code,
                "track_name": line.track_name,
                "track_name_en": line.track_name_en,
                "title": line.title,
                "institution": line.institution,
                "leader_name": line.leader_name,
            }
            for line in lines
        ],
    }
    if final is not None:
        outcome = results.round_results(db, final)
        snapshot["final"] = results_snapshot(outcome, final)
    return snapshot


def _lock(db: Session, contest: Contest) -> None:
    """Two organisers saving or publishing at once take turns."""
    db.execute(select(col(Contest.id)).where(col(Contest.id) == contest.id).with_for_update())


# Reading awards.


@dataclass(frozen=True, slots=True)
class AwardLine:
    """A saved award with what lists and certificates show of it."""

    award: Award
    track_code: str
    track_name: str
    title: str
    institution: str
    leader_name: str
    certificate: Certificate | None
    track_name_en: str = ""  # English pages, PDFs and exports use it when set

    @property
    def tier(self) -> Tier:
        return Tier(self.award.tier)

    @property
    def certificate_code(self) -> str | None:
        return self.certificate.code if self.certificate else None


def saved_awards(db: Session, contest_id: int) -> list[AwardLine]:
    """The contest's awards, published or not: by track, tier, rank."""
    rows = db.execute(
        select(
            Award, col(Track.code), col(Track.name), col(Track.position), Entry, Certificate,
            col(Track.name_en),
        )
        .join(Entry, col(Entry.id) == Award.entry_id)
        .join(Track, col(Track.id) == Entry.track_id)
        .outerjoin(Certificate, col(Certificate.award_id) == Award.id)
        .where(col(Award.contest_id) == contest_id)
    ).all()
    ordered = sorted(
        rows,
        key=lambda r: (
            (r[3], r[4].track_id) if r[0].scope == AwardScope.per_track else (0, 0),
            TIERS.index(Tier(r[0].tier)),
            r[0].rank or 0,
            r[0].entry_id,
        ),
    )
    return [
        AwardLine(
            award, code, name, entry.title, entry.institution, entry.leader_name, cert, name_en
        )
        for award, code, name, _position, entry, cert, name_en in ordered
    ]


@dataclass(frozen=True)
class WinnerSection:
    """Published winners of one track (per-track awards) or of all (code None)."""

    code: str | None
    name: str
    # Saved awards (AwardLine), or as a publication froze them (PublishedAward, same fields).
    lines: tuple[Any, ...]
    published_at: datetime | None
    name_en: str = ""


def winner_sections(db: Session, contest: Contest) -> list[WinnerSection]:
    """The published awards grouped as they were given; empty before publishing."""
    lines = [line for line in saved_awards(db, contest.id) if line.award.published_at]
    if not lines:
        return []
    published_at = lines[0].award.published_at
    if lines[0].award.scope == AwardScope.overall:
        return [WinnerSection(None, "", tuple(lines), published_at)]
    sections = []
    for code, group in groupby(lines, key=lambda line: line.track_code):
        items = tuple(group)
        sections.append(
            WinnerSection(code, items[0].track_name, items, published_at, items[0].track_name_en)
        )
    return sections


def _summary(lines: Sequence[AwardLine]) -> list[dict[str, Any]]:
    return [
        {"entry_id": line.award.entry_id, "tier": line.tier.value, "rank": line.award.rank}
        for line in lines
    ]
