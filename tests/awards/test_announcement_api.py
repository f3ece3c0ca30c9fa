"""The public announcement list (公示) PDF: finalists, then winners, nothing before."""

import io
import re

import pypdf
from sqlmodel import Session

from contest.core.enums import ContestStatus, EntryStatus, Tier
from contest.models import Advancement, utcnow
from tests import factories
from tests.app_client import TestClient
from tests.certificates_setup import award
from tests.factories import World


def text_of(pdf: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in pages))


def finalists_published(db: Session, world: World) -> list:  # type: ignore[type-arg]
    """Two startup entries advanced from the semifinal, one eliminated; the list published."""
    entries = []
    for title, status in (
        ("智能康复外骨骼机器人", EntryStatus.advanced),
        ("肿瘤早筛液体活检平台", EntryStatus.advanced),
        ("未入围的项目", EntryStatus.eliminated),
    ):
        entry = factories.entry(db, world.contest, world.startup, title=title)
        factories.enrol(db, world.semifinal, entry, status)
        entries.append(entry)
    db.add(Advancement(round_id=world.semifinal.id, published_at=utcnow()))
    db.commit()
    return entries


def url(world: World, query: str = "") -> str:
    return f"/api/v1/contests/{world.contest.id}/results.pdf{query}"


def test_results_pdf_before_anything_is_published_is_not_found(
    client: TestClient, db: Session, world: World
) -> None:
    entry = factories.entry(db, world.contest, world.startup)
    award(db, world.contest, entry, published=False)
    factories.enrol(db, world.semifinal, entry, EntryStatus.advanced)
    db.add(Advancement(round_id=world.semifinal.id))  # confirmed, not published
    db.commit()

    response = client.get(url(world))

    assert response.status_code == 404


def test_results_pdf_lists_finalists_once_published(
    client: TestClient, db: Session, world: World
) -> None:
    finalists_published(db, world)

    response = client.get(url(world))

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = text_of(response.content)
    assert "决赛入围名单公示" in text
    assert "创业组（共2项）" in text
    assert "智能康复外骨骼机器人" in text
    assert "肿瘤早筛液体活检平台" in text
    assert "未入围的项目" not in text
    assert client.get(url(world, "?list=winners")).status_code == 404


def test_results_pdf_lists_winners_once_awards_are_published(
    client: TestClient, db: Session, world: World
) -> None:
    first, second, _ = finalists_published(db, world)
    award(db, world.contest, second, Tier.gold, rank=1)
    award(db, world.contest, first, Tier.silver, rank=2, custom_name="最佳创新奖")
    db.commit()

    latest = text_of(client.get(url(world)).content)
    finalists = text_of(client.get(url(world, "?list=finalists")).content)

    assert "获奖名单公示" in latest
    assert latest.index("金奖肿瘤早筛液体活检平台") < latest.index("最佳创新奖智能康复外骨骼机器人")
    assert "决赛入围名单公示" in finalists


def test_results_pdf_of_a_draft_contest_is_not_found(
    client: TestClient, db: Session, world: World
) -> None:
    finalists_published(db, world)
    world.contest.status = ContestStatus.draft
    db.add(world.contest)
    db.commit()

    assert client.get(url(world)).status_code == 404


def test_results_pdf_rejects_an_unknown_list(client: TestClient, world: World) -> None:
    response = client.get(url(world, "?list=everyone"))

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "list"]
