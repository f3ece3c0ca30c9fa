"""The team's dashboard offers its certificate, or says it was revoked."""

from bs4 import BeautifulSoup

from contest.core.enums import Tier
from contest.models import Award, Certificate, utcnow
from tests import factories


def dashboard_box(client):
    page = BeautifulSoup(client.get("/team").text, "html.parser")
    return page.select_one(".certificate-box")


def test_dashboard_links_the_certificate_and_its_code(client, db, world):
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    award = Award(contest_id=world.contest.id, entry_id=entry.id, tier=Tier.gold,
                  published_at=utcnow())
    db.add(award)
    db.flush()
    db.add(Certificate(award_id=award.id, code="TJ-AAAA-BBBB-CCCC", issued_on=utcnow().date()))
    db.commit()
    factories.login(client, world.team)

    box = dashboard_box(client)

    assert box.select_one("a.btn")["href"] == f"/api/v1/awards/{award.id}/certificate.pdf"
    assert box.select_one("a[href='/verify/TJ-AAAA-BBBB-CCCC']") is not None


def test_dashboard_says_a_revoked_certificate_is_revoked(client, db, world):
    entry = factories.entry(db, world.contest, world.creative, owner=world.team)
    award = Award(contest_id=world.contest.id, entry_id=entry.id, tier=Tier.gold,
                  published_at=utcnow())
    db.add(award)
    db.flush()
    db.add(Certificate(award_id=award.id, code="TJ-AAAA-BBBB-CCCC", issued_on=utcnow().date(),
                       revoked_at=utcnow(), revoked_reason="核实有误"))
    db.commit()
    factories.login(client, world.team)

    box = dashboard_box(client)

    assert box.select_one("a.btn") is None
    assert "撤销" in box.select_one(".flash-error").get_text()
    assert "核实有误" not in box.get_text()
