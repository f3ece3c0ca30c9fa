"""The demo's objection: a bronze winner objects to a silver award within the awards' 公示
period; the organisers answer and reject it with a reason; the filer sees the decision.
Every publication is dated as in 2023, its objection period as long as the contest's."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from contest.demo import live as demo_live
from contest.demo import objections as demo_objections
from contest.models import AuditRecord, Award, Objection, Publication
from tests import factories
from tests.awards_setup import arrange_ranked
from tests.judging_setup import read

AWARDS_AT = datetime(2023, 9, 23, 10, tzinfo=UTC)


def test_demo_objection_is_filed_answered_and_rejected(db: Session, world, client):  # type: ignore[no-untyped-def]
    ranked = arrange_ranked(db, world)
    teams = {}
    for entry in [*ranked.s, *ranked.c]:
        teams[entry.id] = factories.user(db, "team", name=f"{entry.title}队")
        entry.owner_id = teams[entry.id].id
        db.add(entry)
    db.commit()
    demo_live.award(db, actor=world.organiser, contest=world.contest)

    found = demo_objections.decided_objection(
        db, actor=world.organiser, contest=world.contest, teams=teams
    )
    demo_objections.date_publications(db, contest=world.contest, awards_at=AWARDS_AT)
    db.commit()

    assert found is not None
    tiers = dict(read(db, select(Award.entry_id, Award.tier)))
    objection = db.get(Objection, found.id)
    filer_entry = next(e for e, team in teams.items() if team.id == objection.filed_by_id)
    assert tiers[filer_entry] == "bronze"
    assert tiers[objection.entry_id] == "silver"
    assert (objection.state, objection.answer, objection.decision_reason) == (
        "rejected", demo_objections.ANSWER, demo_objections.DECISION
    )
    [publication] = read(db, select(Publication.published_at, Publication.objections_close_at))
    published_at, closes_at = (moment.replace(tzinfo=UTC) for moment in publication)
    assert (published_at, closes_at) == (AWARDS_AT, AWARDS_AT + timedelta(days=5))
    assert published_at < objection.created_at.replace(tzinfo=UTC) < closes_at
    actions = [a for (a,) in read(db, select(AuditRecord.action)) if a.startswith("objection.")]
    assert actions == ["objection.file", "objection.answer", "objection.decide"]
    filer = factories.bearer(client, teams[filer_entry])
    seen = client.get(f"/api/v1/contests/{world.contest.id}/objections", headers=filer).json()
    assert [(o["state"], o["decision_reason"]) for o in seen] == [
        ("rejected", demo_objections.DECISION)
    ]
