"""Withdrawing a publication, and objections (异议) to publications (docs/rules.md "公示").

A publication is withdrawn with a reason (audited); what it published becomes changeable
again (the advancement list, or the awards, whose certificates are revoked meanwhile),
and publishing again creates the next version. Teams object within the publication's
window; organisers answer and decide (upheld or rejected, with a reason, audited).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from contest.awards import service as awards
from contest.core import audit
from contest.core.enums import Role
from contest.core.errors import InvalidInput, NotFound, StateConflict
from contest.core.i18n import _, use_locale
from contest.core.settings import Settings
from contest.kit.uploads import ReceivedFile, display_filename, keep_pdf
from contest.models import Contest, Entry, Objection, Publication, Round, User, utcnow
from contest.notices import events
from contest.notices.service import site_url
from contest.publications import service as publications
from contest.results import advancement
from contest.setup import access as setup_access

OPEN, UPHELD, REJECTED = "open", "upheld", "rejected"
MAX_OBJECTIONS_PER_TEAM = 20


# The same bounds as the API's schemas, so that a page form gets the same answer.
WITHDRAW_REASON_MAX = 2000
TEXT_MAX = 5000


def _reason(text: str, field: str, message: str, limit: int = TEXT_MAX) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput.single(field, message)
    if len(text) > limit:
        too_long = _("Too long: at most %(max)s characters.") % {"max": limit}
        raise InvalidInput.single(field, too_long)
    return text


# Publications.


@dataclass(frozen=True)
class PublicationView:
    """A publication with what its readers need besides the row: is it final (最终)?"""

    item: Publication
    open_objections: int
    final: bool


def views(db: Session, items: Sequence[Publication]) -> list[PublicationView]:
    counts = publications.open_objections(db, [p.id for p in items])
    now = utcnow()
    return [
        PublicationView(p, counts.get(p.id, 0), publications.is_final(p, counts.get(p.id, 0), now))
        for p in items
    ]


def contest_publications(db: Session, user: User | None, contest: Contest) -> list[PublicationView]:
    """Standing publications for everyone; organisers of the contest see withdrawn ones too."""
    organiser = user is not None and setup_access.organises(db, user, contest.id)
    return views(db, publications.of_contest(db, contest.id, withdrawn=organiser))


def organised_publication(db: Session, user: User, publication_id: int) -> Publication:
    item = db.get(Publication, publication_id)
    if item is None or not setup_access.organises(db, user, item.contest_id):
        raise NotFound()
    return item


def withdraw(db: Session, *, actor: User, publication: Publication, reason: str) -> Publication:
    """Withdraw a standing publication with a reason (422 without): its list or awards
    may change again, and publishing again creates the next version."""
    reason = _reason(reason, "reason", _("Give the reason for withdrawing the publication."),
                     WITHDRAW_REASON_MAX)
    if publication.withdrawn_at is not None:
        raise StateConflict(_("This publication has already been withdrawn."))
    publication.withdrawn_at = utcnow()
    publication.withdrawn_by_id = actor.id
    publication.withdraw_reason = reason
    db.add(publication)
    db.flush()
    if publication.kind == publications.AWARDS:
        contest = db.get(Contest, publication.contest_id)
        assert contest is not None
        awards.unpublish_awards(db, actor=actor, contest=contest, reason=reason)
    elif publication.round_id is not None:
        round_ = db.get(Round, publication.round_id)
        assert round_ is not None
        advancement.unpublish_advancement(db, round_=round_)
    audit.record(
        db,
        actor=actor,
        action="publication.withdraw",
        obj=publication,
        before={"withdrawn_at": None},
        after={"withdrawn_at": publication.withdrawn_at, "version": publication.version},
        reason=reason,
    )
    db.flush()
    return publication


# Objections.


def file_objection(
    db: Session,
    *,
    actor: User,
    contest: Contest,
    publication_id: int,
    entry_id: int | None,
    reason: str,
) -> Objection:
    """A team objects to a publication of the contest while its window is open."""
    reason = _reason(reason, "reason", _("Say what the objection is about."))
    publication = db.get(Publication, publication_id)
    if publication is None or publication.contest_id != contest.id:
        raise InvalidInput.single("publication_id", _("No such publication in this contest."))
    if entry_id is not None:
        entry = db.get(Entry, entry_id)
        if entry is None or entry.contest_id != contest.id:
            raise InvalidInput.single("entry_id", _("No such entry in this contest."))
    if publication.withdrawn_at is not None:
        raise StateConflict(_("This publication has been withdrawn; object to its correction."))
    if not publications.window_open(publication):
        raise StateConflict(_("The objection period of this publication has ended."))
    _limit(db, actor, contest)
    item = Objection(
        contest_id=contest.id,
        publication_id=publication.id,
        entry_id=entry_id,
        filed_by_id=actor.id,
        reason=reason[:5000],
    )
    db.add(item)
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="objection.file",
        obj=item,
        after={"publication_id": publication.id, "entry_id": entry_id},
        reason=item.reason,
    )
    return item


def _limit(db: Session, actor: User, contest: Contest) -> None:
    filed = db.scalars(
        select(col(Objection.id)).where(
            col(Objection.contest_id) == contest.id, col(Objection.filed_by_id) == actor.id
        )
    ).all()
    if len(filed) >= MAX_OBJECTIONS_PER_TEAM:
        raise StateConflict(_("You have filed too many objections; please contact the organisers."))


def readable_objections(db: Session, user: User, contest: Contest) -> Sequence[Objection]:
    """Organisers: every objection of the contest; a team: its own; anyone else: none."""
    query = select(Objection).where(col(Objection.contest_id) == contest.id)
    if not setup_access.organises(db, user, contest.id):
        query = query.where(col(Objection.filed_by_id) == user.id)
    return db.scalars(query.order_by(col(Objection.created_at), col(Objection.id))).all()


def readable_objection(db: Session, user: User, objection_id: int) -> Objection:
    """The objection if the caller filed it or organises its contest; 404 otherwise."""
    item = db.get(Objection, objection_id)
    if item is None:
        raise NotFound()
    if item.filed_by_id != user.id and not setup_access.organises(db, user, item.contest_id):
        raise NotFound()
    return item


def organised_objection(db: Session, user: User, objection_id: int) -> Objection:
    item = db.get(Objection, objection_id)
    if item is None or not setup_access.organises(db, user, item.contest_id):
        raise NotFound()
    return item


def own_objection(db: Session, user: User, objection_id: int) -> Objection:
    item = db.get(Objection, objection_id)
    if item is None or item.filed_by_id != user.id or user.role != Role.team:
        raise NotFound()
    return item


def answer(db: Session, *, actor: User, objection: Objection, text: str) -> Objection:
    """The organisers' answer to the filer, before or with the decision (audited)."""
    text = _reason(text, "answer", _("Write the answer."))
    before = objection.answer
    objection.answer = text[:5000]
    db.add(objection)
    audit.record(
        db, actor=actor, action="objection.answer", obj=objection,
        before={"answer": before}, after={"answer": objection.answer},
    )
    db.flush()
    return objection


def decide(
    db: Session, *, actor: User, objection: Objection, decision: str, reason: str
) -> Objection:
    """Uphold or reject an open objection, with a reason (audited). Upholding does not
    change results by itself: the organisers withdraw the publication and correct."""
    if decision not in (UPHELD, REJECTED):
        raise InvalidInput.single("decision", _("Choose upheld or rejected."))
    reason = _reason(reason, "reason", _("Give the reason for the decision."))
    if objection.state != OPEN:
        raise StateConflict(_("This objection has already been decided."))
    objection.state = decision
    objection.decision_reason = reason[:5000]
    objection.decided_at = utcnow()
    objection.decided_by_id = actor.id
    db.add(objection)
    audit.record(
        db,
        actor=actor,
        action="objection.decide",
        obj=objection,
        before={"state": OPEN},
        after={"state": decision},
        reason=objection.decision_reason,
    )
    db.flush()
    _tell_filer(db, objection)
    return objection


def _tell_filer(db: Session, objection: Objection) -> None:
    """Mail the decision to the team that filed it, in the team's language. The mail is
    queued in the decision's transaction: a refused or rolled-back decision sends nothing."""
    filer = db.get(User, objection.filed_by_id)
    if filer is None or not filer.email:
        return
    language = filer.locale or "zh"
    with use_locale(language):
        decision = (
            _("the objection is upheld") if objection.state == UPHELD
            else _("the objection is rejected")
        )
        subject = _subject_title(db, objection)
    events.objection_decided(
        db,
        to=filer.email,
        name=filer.name,
        language=language,
        contest_id=objection.contest_id,
        entry_title=subject,
        decision=decision,
        reason=objection.decision_reason or "",
        link=site_url(f"/team/contests/{objection.contest_id}/objections#objection-{objection.id}"),
    )


def _subject_title(db: Session, objection: Objection) -> str:
    """What the objection is about, as the mail names it: the entry, else the list."""
    entry = db.get(Entry, objection.entry_id) if objection.entry_id is not None else None
    if entry is not None:
        return entry.title
    publication = db.get(Publication, objection.publication_id)
    if publication is None or publication.kind == publications.AWARDS:
        return _("the awards")
    round_ = db.get(Round, publication.round_id) if publication.round_id else None
    name = round_.name if round_ is not None else ""
    return _("the advancement list of %(round)s") % {"round": name}


def require_can_attach(objection: Objection) -> None:
    if objection.state != OPEN:
        raise StateConflict(_("This objection has been decided; evidence can no longer change."))


def attach_document(
    db: Session, *, actor: User, objection: Objection, received: ReceivedFile, settings: Settings
) -> Objection:
    """Keep a PDF as the objection's evidence (replacing an earlier one, kept on disk)."""
    try:
        require_can_attach(objection)
    except StateConflict:
        received.discard()
        raise
    stored = keep_pdf(settings, received, "objections")
    objection.document_name = display_filename(received.client_name)
    objection.document_stored = stored
    objection.document_size = received.size
    db.add(objection)
    audit.record(
        db, actor=actor, action="objection.document", obj=objection,
        after={"filename": objection.document_name, "size": received.size},
    )
    db.flush()
    return objection


def document_path(settings: Settings, objection: Objection) -> Path:
    if not objection.document_stored:
        raise NotFound()
    path = settings.uploads_dir / objection.document_stored
    if not path.is_file():
        raise NotFound()
    return path
