"""API: uploading and downloading an entry's PDF documents."""

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import DocumentKind
from contest.core.settings import Settings
from contest.models import AuditRecord, Document, Entry, utcnow
from tests import factories
from tests.app_client import TestClient
from tests.factories import World

LIMIT = 20 * 1024 * 1024
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 4000


@pytest.fixture(autouse=True)
def english(client: TestClient) -> None:
    """Messages are checked in English; Chinese is the default."""
    client.headers["Accept-Language"] = "en"


def files_on_disk(settings: Settings) -> list[Path]:
    """The uploaded originals (each PDF also has a cleaned copy, counted apart)."""
    return [p for p in every_file(settings) if not p.name.endswith("-clean.pdf")]


def every_file(settings: Settings) -> list[Path]:
    root = settings.uploads_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def entry(db: Session, world: World) -> Entry:
    item = factories.entry(db, world.contest, world.creative, owner=world.team)
    db.commit()
    return item


def upload(
    client: TestClient,
    entry_id: int,
    headers: dict[str, str],
    *,
    data: bytes,
    filename: str = "计划书.pdf",
    kind: str | None = "business_plan",
    content_type: str = "application/pdf",
) -> Any:
    fields = {"kind": kind} if kind is not None else {}
    return client.post(
        f"/api/v1/entries/{entry_id}/documents",
        data=fields,
        files={"file": (filename, data, content_type)},
        headers=headers,
    )


def test_upload_pdf_stores_it_under_a_random_name_with_its_hash(
    client: TestClient, db: Session, world: World, entry: Entry, settings: Settings
) -> None:
    content = factories.pdf_bytes("Business plan", pages=3)

    response = upload(client, entry.id, factories.bearer(client, world.team), data=content)

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["filename"], body["size"], body["kind"]) == (
        "计划书.pdf",
        len(content),
        "business_plan",
    )
    document = db.get(Document, body["id"])
    assert document is not None
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.uploaded_by_id == world.team.id
    stored = files_on_disk(settings)
    assert stored == [settings.uploads_dir / document.stored_name]
    assert "计划书" not in document.stored_name
    assert stored[0].read_bytes() == content
    assert document.clean_stored_name is not None
    assert every_file(settings) == sorted(
        [stored[0], settings.uploads_dir / document.clean_stored_name]
    )
    log = db.scalars(select(AuditRecord).where(AuditRecord.action == "document.upload")).one()
    assert (log.object_id, log.contest_id, log.after["entry_id"]) == (
        document.id,
        world.contest.id,
        entry.id,
    )


def test_upload_same_kind_replaces_but_keeps_the_old_document(
    client: TestClient, db: Session, world: World, entry: Entry, settings: Settings
) -> None:
    headers = factories.bearer(client, world.team)
    first = upload(client, entry.id, headers, data=factories.pdf_bytes("v1")).json()
    deck = upload(client, entry.id, headers, data=factories.pdf_bytes("d"), kind="pitch_deck")

    second = upload(client, entry.id, headers, data=factories.pdf_bytes("v2")).json()

    db.expire_all()
    old, new = db.get(Document, first["id"]), db.get(Document, second["id"])
    assert old is not None
    assert new is not None
    assert old.replaced_at is not None
    assert new.replaced_at is None
    assert db.get(Document, deck.json()["id"]).replaced_at is None
    assert len(files_on_disk(settings)) == 3
    log = db.scalars(select(AuditRecord).where(AuditRecord.action == "document.replace")).one()
    assert (log.object_id, log.after["replaced_by"]) == (old.id, new.id)
    current = client.get(f"/api/v1/entries/{entry.id}/documents", headers=headers).json()
    assert sorted(d["id"] for d in current) == sorted([second["id"], deck.json()["id"]])


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (ELF, "计划书.pdf"),  # an executable renamed to .pdf, sent as application/pdf
        (b"MZ\x90\x00" + b"\x00" * 2000, "setup.pdf"),
        (b"<html><script>alert(1)</script></html>", "page.pdf"),
        (b"%PDF-1.7\n" + ELF, "fake.pdf"),  # the magic bytes alone are not enough
        (factories.pdf_bytes("cut", pages=2)[:-300], "truncated.pdf"),
        (factories.pdf_bytes("cut", pages=2)[:600], "truncated.pdf"),
    ],
)
def test_upload_refuses_what_is_not_a_complete_pdf(
    client: TestClient,
    db: Session,
    world: World,
    entry: Entry,
    settings: Settings,
    data: bytes,
    filename: str,
) -> None:
    response = upload(
        client, entry.id, factories.bearer(client, world.team), data=data, filename=filename
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
    assert db.scalars(select(Document)).all() == []
    assert files_on_disk(settings) == []


def test_upload_one_byte_over_20_mb_is_413_and_leaves_nothing(
    client: TestClient, db: Session, world: World, entry: Entry, settings: Settings
) -> None:
    pdf = factories.pdf_bytes()
    data = pdf[:-6] + b" " * (LIMIT + 1 - len(pdf)) + pdf[-6:]
    assert len(data) == LIMIT + 1

    response = upload(client, entry.id, factories.bearer(client, world.team), data=data)

    assert response.status_code == 413
    assert "20 MB" in response.json()["detail"]
    assert db.scalars(select(Document)).all() == []
    assert files_on_disk(settings) == []


def test_upload_far_over_the_limit_is_refused_before_reading(
    client: TestClient, db: Session, world: World, entry: Entry, settings: Settings
) -> None:
    response = upload(
        client, entry.id, factories.bearer(client, world.team), data=b"%PDF-" + b"0" * (LIMIT * 2)
    )

    assert response.status_code == 413
    assert files_on_disk(settings) == []


def test_upload_exactly_at_the_limit_is_accepted(
    client: TestClient, app: Any, db: Session, world: World, entry: Entry, settings: Settings
) -> None:
    pdf = factories.pdf_bytes()
    app.state.settings.upload_limit_bytes = len(pdf)

    exact = upload(client, entry.id, factories.bearer(client, world.team), data=pdf)
    app.state.settings.upload_limit_bytes = len(pdf) - 1
    over = upload(client, entry.id, factories.bearer(client, world.team), data=pdf)

    assert (exact.status_code, over.status_code) == (201, 413)
    assert len(files_on_disk(settings)) == 1


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\plan.pdf", "plan.pdf"),
        ("C:\\Users\\王\\Desktop\\商业计划书.pdf", "商业计划书.pdf"),
        # "/" is a path separator wherever it appears, even inside a tag.
        ("<script>alert(1)</script>.pdf", "script>.pdf"),
        ("计划书", "计划书.pdf"),
        ("report.PDF", "report.PDF"),
        ("evil\u202egpj.pdf", "evilgpj.pdf"),
        ("", "document.pdf"),
    ],
)
def test_upload_keeps_only_the_base_name_as_display_text(
    client: TestClient,
    db: Session,
    world: World,
    entry: Entry,
    settings: Settings,
    sent: str,
    shown: str,
) -> None:
    response = upload(
        client,
        entry.id,
        factories.bearer(client, world.team),
        data=factories.pdf_bytes(),
        filename=sent,
    )

    assert response.status_code == 201, response.text
    assert response.json()["filename"].startswith(shown)
    stored = files_on_disk(settings)
    assert len(stored) == 1
    assert stored[0].is_relative_to(settings.uploads_dir)
    assert not Path("/etc/passwd.pdf").exists()


def test_upload_html_file_name_is_kept_verbatim_as_text(
    client: TestClient, db: Session, world: World, entry: Entry
) -> None:
    name = "<img src=x onerror=alert(1)>.pdf"

    response = upload(
        client,
        entry.id,
        factories.bearer(client, world.team),
        data=factories.pdf_bytes(),
        filename=name,
    )

    assert response.json()["filename"] == name


def test_upload_without_file_or_with_bad_kind_is_422(
    client: TestClient, db: Session, world: World, entry: Entry
) -> None:
    headers = factories.bearer(client, world.team)

    no_file = client.post(
        f"/api/v1/entries/{entry.id}/documents",
        data={"kind": "other"},
        files={"note": ("", b"", "text/plain")},
        headers=headers,
    )
    bad_kind = upload(client, entry.id, headers, data=factories.pdf_bytes(), kind="cv")
    not_multipart = client.post(
        f"/api/v1/entries/{entry.id}/documents", json={"file": "x"}, headers=headers
    )

    assert no_file.status_code == 422
    assert no_file.json()["detail"][0]["loc"] == ["body", "file"]
    assert bad_kind.status_code == 422
    assert bad_kind.json()["detail"][0]["loc"] == ["body", "kind"]
    assert not_multipart.status_code == 422
    assert db.scalars(select(Document)).all() == []


def test_upload_without_kind_is_a_business_plan(
    client: TestClient, db: Session, world: World, entry: Entry
) -> None:
    response = upload(
        client,
        entry.id,
        factories.bearer(client, world.team),
        data=factories.pdf_bytes(),
        kind=None,
    )

    assert response.json()["kind"] == DocumentKind.business_plan


def test_upload_after_registration_closed_is_409_for_team_only(
    client: TestClient, db: Session, world: World, entry: Entry, settings: Settings
) -> None:
    world.contest.registration_closes_at = utcnow() - timedelta(seconds=1)
    db.add(world.contest)
    db.commit()

    team = upload(
        client, entry.id, factories.bearer(client, world.team), data=factories.pdf_bytes()
    )
    organiser = upload(
        client, entry.id, factories.bearer(client, world.organiser), data=factories.pdf_bytes()
    )

    assert (team.status_code, organiser.status_code) == (409, 201)
    assert len(files_on_disk(settings)) == 1


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("other_team", 404),
        ("assigned_judge", 403),
        ("unassigned_judge", 404),
        ("other_organiser", 404),
        ("anonymous", 401),
    ],
)
def test_upload_by_anyone_else_is_refused_and_stores_nothing(
    client: TestClient,
    db: Session,
    world: World,
    entry: Entry,
    settings: Settings,
    who: str,
    expected: int,
) -> None:
    factories.assign(db, world.preliminary, world.judges[0], entry)
    db.commit()
    people = {
        "other_team": world.other_team,
        "assigned_judge": world.judge_users[0],
        "unassigned_judge": world.judge_users[1],
        "other_organiser": world.other_organiser,
    }
    headers = factories.bearer(client, people[who]) if who in people else {}

    response = upload(client, entry.id, headers, data=factories.pdf_bytes())

    assert response.status_code == expected
    assert files_on_disk(settings) == []


def test_upload_with_session_cookie_needs_the_csrf_header(
    client: TestClient, db: Session, world: World, entry: Entry, settings: Settings
) -> None:
    factories.login(client, world.team)

    without = upload(client, entry.id, {}, data=factories.pdf_bytes())
    with_header = upload(
        client, entry.id, {"X-CSRF-Token": client.cookies["tj_csrf"]}, data=factories.pdf_bytes()
    )

    assert (without.status_code, with_header.status_code) == (403, 201)
    assert len(files_on_disk(settings)) == 1


def _document(db: Session, entry: Entry, settings: Settings, filename: str) -> Document:
    item = factories.document(db, entry, settings, filename=filename)
    db.commit()
    return item


def test_download_sends_pdf_with_rfc6266_disposition(
    client: TestClient, db: Session, world: World, entry: Entry, settings: Settings
) -> None:
    item = _document(db, entry, settings, "商业计划书 v2.pdf")
    headers = factories.bearer(client, world.team)

    response = client.get(f"/api/v1/documents/{item.id}", headers=headers)
    inline = client.get(f"/api/v1/documents/{item.id}?inline=1", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content == (settings.uploads_dir / item.stored_name).read_bytes()
    disposition = response.headers["content-disposition"]
    assert disposition == (
        "attachment; filename=\"v2.pdf\"; filename*=UTF-8''" + quote("商业计划书 v2.pdf", safe="")
    )
    assert inline.headers["content-disposition"].startswith("inline; ")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_download_quotes_and_html_in_name_are_escaped(
    client: TestClient, db: Session, world: World, entry: Entry, settings: Settings
) -> None:
    item = _document(db, entry, settings, 'a"b\r\n<x>.pdf')

    response = client.get(
        f"/api/v1/documents/{item.id}", headers=factories.bearer(client, world.team)
    )

    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=\"a_b___x_.pdf\"; filename*=UTF-8''")
    assert "\r" not in disposition
    assert '"b' not in disposition


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("team", 200),
        ("other_team", 404),
        ("assigned_judge", 200),
        ("unassigned_judge", 404),
        ("organiser", 200),
        ("other_organiser", 404),
        ("anonymous", 401),
    ],
)
def test_download_by_role(
    client: TestClient,
    db: Session,
    world: World,
    entry: Entry,
    settings: Settings,
    who: str,
    expected: int,
) -> None:
    item = factories.document(db, entry, settings)
    factories.assign(db, world.preliminary, world.judges[0], entry)
    db.commit()
    people = {
        "team": world.team,
        "other_team": world.other_team,
        "assigned_judge": world.judge_users[0],
        "unassigned_judge": world.judge_users[1],
        "organiser": world.organiser,
        "other_organiser": world.other_organiser,
    }
    headers = factories.bearer(client, people[who]) if who in people else {}

    response = client.get(f"/api/v1/documents/{item.id}", headers=headers)

    assert response.status_code == expected
    if expected == 200:
        assert response.content.startswith(b"%PDF-")


def test_download_unknown_document_is_404(client: TestClient, db: Session, world: World) -> None:
    response = client.get("/api/v1/documents/999", headers=factories.bearer(client, world.team))

    assert response.status_code == 404
