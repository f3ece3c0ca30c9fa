"""The scene the security suite plays on."""

from datetime import timedelta

import pytest

from contest.core.enums import LivePhase, Tier
from contest.models import Award, Certificate, LiveState, utcnow
from tests import factories


@pytest.fixture
def scene(db, world, settings):
    """The world, plus: the team's entry with a document, assigned to judge 1 in the open
    preliminary and in the final (live), with a published award and its certificate."""
    entry = factories.entry(db, world.contest, world.creative, owner=world.team,
                            rounds=(world.preliminary, world.final))
    factories.document(db, entry, settings)
    document = factories.document(db, entry, settings, filename="路演.pdf")
    factories.entry(db, world.contest, world.creative, owner=world.other_team,
                    rounds=(world.preliminary,))
    factories.assign(db, world.preliminary, world.judges[0], entry)
    factories.assign(db, world.final, world.judges[0], entry)
    world.final.opens_at = utcnow() - timedelta(hours=1)
    db.add(LiveState(round_id=world.final.id, phase=LivePhase.pitching,
                     current_entry_id=entry.id, pitch_started_at=utcnow()))
    award = Award(contest_id=world.contest.id, entry_id=entry.id, track_id=world.creative.id,
                  tier=Tier.gold, rank=1, published_at=utcnow())
    db.add(award)
    db.flush()
    certificate = Certificate(award_id=award.id, code="TJ-TEST-CODE-0001",
                              issued_on=utcnow().date())
    db.add(certificate)
    db.commit()
    return {
        "contest_id": world.contest.id, "round_id": world.preliminary.id,
        "final_round_id": world.final.id, "entry_id": entry.id, "document_id": document.id,
        "judge_id": world.judges[0].id, "track_id": world.creative.id, "award_id": award.id,
        "code": certificate.code, "lang_code": "en",
    }
