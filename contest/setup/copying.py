"""Copy a contest's set-up into a new contest: next year's edition starts from this one.

What is copied: the contest's settings (series, description, organising units, entries
per team, objection days), its tracks, its rounds with every setting and their rubric
(criteria), its judging panel (the judges still active, with institution, title,
expertise and declared affiliations and companies) and the institution families used
for conflicts. What is not: entries, documents, assignments, score sheets, results,
awards, the live final, publications, investors and the organiser team (the person who
copies owns the new contest and adds the team again). The new contest is a draft with
the name, year, edition and registration window given; its rounds have no scoring
window yet (last year's dates mean nothing this year), and each judge is asked to
declare their conflicts again. One audit record, in the new contest's log, says where
it came from and what was copied.
"""

from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel, col

from contest.core import audit
from contest.core.enums import TeamRole
from contest.models import (
    Contest,
    ContestOrganiser,
    Criterion,
    InstitutionFamily,
    Judge,
    Round,
    Track,
    User,
)
from contest.setup.contests import tracks
from contest.setup.copy_schemas import ContestCopy
from contest.setup.rounds import criteria, rounds

# Round columns that belong to last year's calendar or outcome, not to its settings.
_ROUND_NOT_COPIED = {"id", "contest_id", "opens_at", "closes_at", "feedback_published_at",
                     "created_at"}


def _columns(obj: SQLModel, skip: set[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in type(obj).model_fields if name not in skip}


def copy_setup(db: Session, *, actor: User, source: Contest, data: ContestCopy) -> Contest:
    """A new draft contest with `source`'s set-up, owned by `actor`."""
    new = Contest(
        name=data.name,
        year=data.year,
        edition=data.edition,
        registration_opens_at=data.registration_opens_at,
        registration_closes_at=data.registration_closes_at,
        series=source.series,
        description=source.description,
        organisers=list(source.organisers),
        max_entries_per_team=source.max_entries_per_team,
        objection_days=source.objection_days,
    )
    db.add(new)
    db.flush()
    db.add(ContestOrganiser(contest_id=new.id, user_id=actor.id, role=TeamRole.owner))

    for track in tracks(db, source.id):
        db.add(Track(contest_id=new.id, **_columns(track, {"id", "contest_id"})))

    copied_criteria = 0
    source_rounds = list(rounds(db, source.id))
    for round_ in source_rounds:
        copy = Round(contest_id=new.id, **_columns(round_, _ROUND_NOT_COPIED))
        copy.advance_count = dict(round_.advance_count)
        db.add(copy)
        db.flush()
        for criterion in criteria(db, round_.id):
            db.add(Criterion(round_id=copy.id, **_columns(criterion, {"id", "round_id"})))
            copied_criteria += 1

    panel = db.scalars(
        select(Judge)
        .where(col(Judge.contest_id) == source.id, col(Judge.active).is_(True))
        .order_by(col(Judge.id))
    ).all()
    for judge in panel:
        db.add(
            Judge(
                contest_id=new.id,
                user_id=judge.user_id,
                institution=judge.institution,
                title=judge.title,
                expertise=list(judge.expertise),
                affiliations=list(judge.affiliations),
                companies=[dict(c) for c in judge.companies],
            )
        )

    families = db.scalars(
        select(InstitutionFamily)
        .where(col(InstitutionFamily.contest_id) == source.id)
        .order_by(col(InstitutionFamily.id))
    ).all()
    for family in families:
        db.add(
            InstitutionFamily(
                contest_id=new.id, members=list(family.members), created_by_id=actor.id
            )
        )
    db.flush()

    audit.record(
        db,
        actor=actor,
        action="contest.copy",
        obj=new,
        contest_id=new.id,
        after={
            **audit.snapshot(
                new, ["name", "year", "edition", "registration_opens_at", "registration_closes_at"]
            ),
            "copied_from": source.name,
            "copied_from_id": source.id,
            "tracks": len(tracks(db, new.id)),
            "rounds": len(source_rounds),
            "criteria": copied_criteria,
            "judges": len(panel),
        },
    )
    db.flush()
    return new
