"""The scene the security suite plays on."""

from datetime import date, timedelta

import pytest

from contest.core.enums import LivePhase, Tier
from contest.models import (
    Advancement,
    Award,
    Certificate,
    Deal,
    InstitutionFamily,
    LiveState,
    Objection,
    Publication,
    utcnow,
)
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
    db.add(Advancement(round_id=world.semifinal.id, published_at=utcnow()))
    db.add(LiveState(round_id=world.final.id, phase=LivePhase.pitching,
                     current_entry_id=entry.id, pitch_started_at=utcnow()))
    award = Award(contest_id=world.contest.id, entry_id=entry.id, track_id=world.creative.id,
                  tier=Tier.gold, rank=1, published_at=utcnow())
    db.add(award)
    db.flush()
    certificate = Certificate(award_id=award.id, code="TJ-TEST-CODE-0001",
                              issued_on=utcnow().date())
    db.add(certificate)
    job = factories.finished_job(db, world.organiser, settings)
    signed = settings.uploads_dir / "deals" / "scene.pdf"
    signed.parent.mkdir(parents=True, exist_ok=True)
    signed.write_bytes(factories.pdf_bytes("grant agreement"))
    deal = Deal(contest_id=world.contest.id, entry_id=entry.id, kind="grant", partner="区科委",
                signed_on=date(2023, 12, 1), filename="资助协议.pdf",
                stored_name="deals/scene.pdf", size=signed.stat().st_size)
    db.add(deal)
    family = InstitutionFamily(contest_id=world.contest.id, members=["瑞金医院", "上海交通大学"])
    page_family = InstitutionFamily(contest_id=world.contest.id, members=["华山医院", "复旦大学"])
    db.add_all([family, page_family])
    publication = Publication(contest_id=world.contest.id, kind="advancement",
                              round_id=world.preliminary.id,
                              subject=f"round:{world.preliminary.id}", version=1,
                              objections_close_at=utcnow() + timedelta(days=5))
    db.add(publication)
    db.flush()
    evidence = settings.uploads_dir / "objections" / "scene.pdf"
    evidence.parent.mkdir(parents=True, exist_ok=True)
    evidence.write_bytes(factories.pdf_bytes("evidence"))
    objection = Objection(contest_id=world.contest.id, publication_id=publication.id,
                          filed_by_id=world.team.id, reason="分数有误",
                          document_name="证据.pdf", document_stored="objections/scene.pdf")
    db.add(objection)
    db.commit()
    return {
        "contest_id": world.contest.id, "round_id": world.preliminary.id,
        "final_round_id": world.final.id, "entry_id": entry.id, "document_id": document.id,
        "judge_id": world.judges[0].id, "track_id": world.creative.id, "award_id": award.id,
        "code": certificate.code, "lang_code": "en", "job_id": job.id,
        "deal_id": deal.id, "family_id": family.id, "page_family_id": page_family.id,
        "publication_id": publication.id, "objection_id": objection.id,
        # A member of the contest's organiser team: its owner (who cannot be removed).
        "user_id": world.organiser.id,
    }
