"""Certificates through the API: one PDF, the ZIP, the printable PDF, and who may have them."""

import io
import re
import zipfile
from urllib.parse import unquote

import pypdf
import pypdfium2
import pytest
import zxingcpp
from sqlmodel import Session

from contest.awards.api import certificates as certificates_api
from contest.core.enums import Tier
from contest.models import Award, Certificate, Entry, utcnow
from tests import factories
from tests.app_client import TestClient
from tests.certificates_setup import award
from tests.factories import World

LONG_TITLE = "基于单细胞测序与人工智能的肿瘤早期筛查液体活检平台及其在社区医疗中的推广应用研究"


def winning_entry(db: Session, world: World, **values: object) -> Entry:
    return factories.entry(
        db,
        world.contest,
        values.pop("track", world.startup),  # type: ignore[arg-type]
        owner=values.pop("owner", world.team),  # type: ignore[arg-type]
        title=values.pop("title", "智能康复外骨骼机器人"),  # type: ignore[arg-type]
        institution="上海交通大学",
        members=("李晓华", "王子豪", "陈思雨"),
        **values,
    )


def gold(db: Session, world: World, **values: object) -> tuple[Award, Certificate]:
    item, certificate = award(db, world.contest, winning_entry(db, world, **values), Tier.gold)
    assert certificate is not None
    db.commit()
    return item, certificate


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def filename_of(response) -> str:  # type: ignore[no-untyped-def]
    header = response.headers["content-disposition"]
    return unquote(re.search(r"filename\*=UTF-8''(.+)$", header).group(1))  # type: ignore[union-attr]


def test_certificate_pdf_prints_contest_tier_title_and_code(
    client: TestClient, db: Session, world: World
) -> None:
    item, certificate = gold(db, world, title=LONG_TITLE)

    response = client.get(
        f"/api/v1/awards/{item.id}/certificate.pdf",
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert filename_of(response).endswith(f"{certificate.code}.pdf")
    [text] = page_texts(response.content)
    flat = re.sub(r"\s+", "", text)
    assert "2023年第二届“天骄湾杯”生命健康创新创业大赛" in flat
    assert "金奖" in flat
    assert "GoldAward" in flat
    assert LONG_TITLE in flat
    assert certificate.code in flat
    assert "李晓华" in flat


def test_certificate_qr_code_opens_the_verify_page(
    client: TestClient, db: Session, world: World
) -> None:
    item, certificate = gold(db, world)
    response = client.get(
        f"/api/v1/awards/{item.id}/certificate.pdf", headers=factories.bearer(client, world.team)
    )
    image = pypdfium2.PdfDocument(response.content)[0].render(scale=2).to_pil()

    barcodes = zxingcpp.read_barcodes(image)

    assert [b.text for b in barcodes] == [f"http://testserver/verify/{certificate.code}"]


def test_certificate_team_downloads_with_its_browser_session(
    client: TestClient, db: Session, world: World
) -> None:
    item, _certificate = gold(db, world)
    factories.login(client, world.team)

    response = client.get(f"/api/v1/awards/{item.id}/certificate.pdf")

    assert response.status_code == 200
    assert len(page_texts(response.content)) == 1


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("organiser", 200),
        ("team", 200),
        ("other_team", 404),
        ("judge", 404),
        ("other_organiser", 404),
        ("anonymous", 401),
    ],
)
def test_certificate_pdf_by_role(
    client: TestClient, db: Session, world: World, who: str, expected: int
) -> None:
    item, _certificate = gold(db, world)
    people = {
        "organiser": world.organiser,
        "team": world.team,
        "other_team": world.other_team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    headers = factories.bearer(client, people[who]) if who in people else {}

    response = client.get(f"/api/v1/awards/{item.id}/certificate.pdf", headers=headers)

    assert response.status_code == expected
    if expected == 200:
        assert response.content.startswith(b"%PDF")


def test_certificate_team_cannot_download_another_teams(
    client: TestClient, db: Session, world: World
) -> None:
    _mine, _ = gold(db, world, owner=world.team, title="我们的项目")
    theirs, _ = gold(db, world, owner=world.other_team, title="他们的项目")

    response = client.get(
        f"/api/v1/awards/{theirs.id}/certificate.pdf", headers=factories.bearer(client, world.team)
    )

    assert (response.status_code, response.json()) == (404, {"detail": "未找到。"})


def test_certificate_of_unpublished_award_is_not_found(
    client: TestClient, db: Session, world: World
) -> None:
    item, certificate = award(db, world.contest, winning_entry(db, world), published=False)
    db.commit()

    response = client.get(
        f"/api/v1/awards/{item.id}/certificate.pdf",
        headers=factories.bearer(client, world.organiser),
    )

    assert (certificate, response.status_code) == (None, 404)


def test_certificate_revoked_is_gone(client: TestClient, db: Session, world: World) -> None:
    item, certificate = gold(db, world)
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = "材料造假"
    db.commit()

    response = client.get(
        f"/api/v1/awards/{item.id}/certificate.pdf", headers=factories.bearer(client, world.team)
    )

    assert response.status_code == 410
    assert response.json() == {"detail": "此证书已被撤销。"}


def three_awards(db: Session, world: World) -> list[Certificate]:
    """Gold and silver in startup, bronze in creative (revoked), another contest's gold."""
    found = []
    for tier, track, title in (
        (Tier.gold, world.startup, "项目甲"),
        (Tier.silver, world.startup, "项目乙"),
        (Tier.bronze, world.creative, "项目丙"),
    ):
        _item, certificate = award(
            db, world.contest, winning_entry(db, world, track=track, title=title), tier
        )
        found.append(certificate)
    found[2].revoked_at = utcnow()
    other_track = factories.track(db, world.other_contest, "startup")
    award(db, world.other_contest, factories.entry(db, world.other_contest, other_track))
    db.commit()
    return found


def test_certificates_zip_holds_one_pdf_per_valid_award(
    client: TestClient, db: Session, world: World
) -> None:
    gold_cert, silver_cert, _revoked = three_awards(db, world)

    response = client.get(
        f"/api/v1/contests/{world.contest.id}/certificates.zip",
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert names == [
        f"创业组-金奖-项目甲-{gold_cert.code}.pdf",
        f"创业组-银奖-项目乙-{silver_cert.code}.pdf",
    ]
    for name in names:
        texts = page_texts(archive.read(name))
        assert len(texts) == 1
        assert name.split("-", 3)[3].removesuffix(".pdf") in texts[0]


def test_certificates_zip_uses_the_process_pool_for_many(
    client: TestClient, db: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(certificates_api, "POOL_FROM", 2)
    gold_cert, silver_cert, _revoked = three_awards(db, world)

    response = client.get(
        f"/api/v1/contests/{world.contest.id}/certificates.zip",
        headers=factories.bearer(client, world.organiser),
    )

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert [name.rsplit("-", 4)[1:] for name in archive.namelist()] == [
        [*c.code.split("-")[:-1], c.code.split("-")[-1] + ".pdf"] for c in (gold_cert, silver_cert)
    ]
    assert all(archive.read(n).startswith(b"%PDF") for n in archive.namelist())


def test_certificates_pdf_has_one_page_per_valid_award(
    client: TestClient, db: Session, world: World
) -> None:
    gold_cert, silver_cert, revoked = three_awards(db, world)

    response = client.get(
        f"/api/v1/contests/{world.contest.id}/certificates.pdf",
        headers=factories.bearer(client, world.organiser),
    )

    texts = page_texts(response.content)
    assert len(texts) == 2
    assert gold_cert.code in texts[0]
    assert silver_cert.code in texts[1]
    assert all(revoked.code not in text for text in texts)


def test_certificates_before_any_award_is_published_conflict(
    client: TestClient, db: Session, world: World
) -> None:
    award(db, world.contest, winning_entry(db, world), published=False)
    db.commit()
    headers = factories.bearer(client, world.organiser)

    for suffix in ("zip", "pdf"):
        response = client.get(
            f"/api/v1/contests/{world.contest.id}/certificates.{suffix}", headers=headers
        )
        assert response.status_code == 409
        assert response.json()["detail"].startswith("尚无证书")


@pytest.mark.parametrize("suffix", ["zip", "pdf"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [("team", 403), ("judge", 403), ("other_organiser", 404), ("anonymous", 401)],
)
def test_certificates_bundle_by_role(
    client: TestClient, db: Session, world: World, who: str, expected: int, suffix: str
) -> None:
    three_awards(db, world)
    people = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    headers = factories.bearer(client, people[who]) if who in people else {}

    response = client.get(
        f"/api/v1/contests/{world.contest.id}/certificates.{suffix}", headers=headers
    )

    assert response.status_code == expected


def test_certificates_list_shows_codes_and_states(
    client: TestClient, db: Session, world: World
) -> None:
    gold_cert, silver_cert, revoked = three_awards(db, world)

    response = client.get(
        f"/api/v1/contests/{world.contest.id}/certificates",
        headers=factories.bearer(client, world.organiser),
    )

    assert [(c["code"], c["revoked"]) for c in response.json()] == [
        (gold_cert.code, False),
        (silver_cert.code, False),
        (revoked.code, True),
    ]


@pytest.mark.parametrize(
    ("who", "expected"),
    [("team", 403), ("judge", 403), ("other_organiser", 404), ("anonymous", 401)],
)
def test_certificates_list_by_role(
    client: TestClient, db: Session, world: World, who: str, expected: int
) -> None:
    three_awards(db, world)
    people = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    headers = factories.bearer(client, people[who]) if who in people else {}

    response = client.get(f"/api/v1/contests/{world.contest.id}/certificates", headers=headers)

    assert response.status_code == expected
