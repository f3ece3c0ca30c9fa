"""The certificates service and code lookup, without the web."""

from datetime import date

import pytest
from sqlalchemy import update
from sqlmodel import Session

from contest.awards import certificates, verification
from contest.core.enums import Tier
from contest.core.errors import StateConflict
from contest.models import Certificate, utcnow
from tests import factories
from tests.certificates_setup import award
from tests.factories import World


def test_certificate_data_prints_what_the_entry_and_contest_say(db: Session, world: World) -> None:
    entry = factories.entry(
        db, world.contest, world.creative, title="智能康复外骨骼", members=("乙", "甲", "丙")
    )
    _item, cert = award(
        db, world.contest, entry, Tier.bronze, custom_name="最佳人气奖", code="TJ-AAAA-BBBB"
    )
    db.commit()

    [data] = certificates.printable(db, world.contest, "https://cert.example.cn/")

    assert data.contest_name == world.contest.name
    assert list(data.organisers) == ["上海市普陀区科学技术委员会", "某大学科技园"]
    assert (data.tier, data.custom_name, data.track_name) == ("bronze", "最佳人气奖", "创意组")
    assert (data.title, data.leader, list(data.members)) == (
        "智能康复外骨骼",
        "王五",
        ["乙", "甲", "丙"],
    )
    assert (data.institution, data.issued_on, data.code) == (
        "复旦大学",
        date(2023, 11, 23),
        cert.code,
    )  # type: ignore[union-attr]
    assert data.verify_url == "https://cert.example.cn/verify/TJ-AAAA-BBBB"
    assert certificates.file_name(data) == "创意组-最佳人气奖-智能康复外骨骼-TJ-AAAA-BBBB.pdf"


def test_printable_leaves_out_revoked_and_unpublished(db: Session, world: World) -> None:
    kept = factories.entry(db, world.contest, world.startup, title="保留")
    gone = factories.entry(db, world.contest, world.startup, title="撤销")
    later = factories.entry(db, world.contest, world.startup, title="未公布")
    award(db, world.contest, kept)
    _a, revoked = award(db, world.contest, gone, Tier.silver)
    award(db, world.contest, later, Tier.bronze, published=False)
    revoked.revoked_at = utcnow()  # type: ignore[union-attr]
    db.commit()

    titles = [d.title for d in certificates.printable(db, world.contest, "http://x")]

    assert titles == ["保留"]


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("tj-ab12-cd34", "TJAB12CD34"),
        (" TJ AB12\tCD34 ", "TJAB12CD34"),
        ("ＴＪ－ＡＢ１２", "TJAB12"),
        ("TJ—AB12–CD34", "TJAB12CD34"),
        ("TJ_AB12.CD34", "TJAB12CD34"),
    ],
)
def test_canonical_codes(typed: str, canonical: str) -> None:
    assert verification.canonical(typed) == canonical


def test_find_certificate_exact_and_canonical(db: Session, world: World) -> None:
    entry = factories.entry(db, world.contest, world.startup)
    _a, cert = award(db, world.contest, entry, code="TJ-QRST-2345")
    db.commit()

    exact = verification.find_certificate(db, "TJ-QRST-2345")
    loose = verification.find_certificate(db, "tj qrst 2345")
    none = verification.find_certificate(db, "TJ-QRST-2346")

    assert (exact[0].id, loose[0].id, none) == (cert.id, cert.id, None)  # type: ignore[index, union-attr]


def test_revoke_loses_the_race_with_a_conflict(db: Session, world: World) -> None:
    entry = factories.entry(db, world.contest, world.startup)
    item, cert = award(db, world.contest, entry)
    db.commit()
    # Another organiser revokes it after this one loaded the certificate.
    db.execute(update(Certificate).values(revoked_at=utcnow(), revoked_reason="先到"))

    with pytest.raises(StateConflict):
        certificates.revoke_certificate(
            db,
            actor=world.organiser,
            certificate=cert,
            award=item,
            reason="后到",  # type: ignore[arg-type]
        )

    assert cert.revoked_reason == "先到"  # type: ignore[union-attr]
