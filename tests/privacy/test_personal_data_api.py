"""A team's personal data: organisers export it (JSON, XLSX) and erase it after the
contest (docs/rules.md "Personal information")."""

import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import ContestStatus
from contest.core.settings import Settings
from contest.models import (
    AuditRecord,
    Document,
    Entry,
    EntryMember,
    Objection,
    OutboxMail,
    Publication,
    User,
    utcnow,
)
from tests import factories
from tests.app_client import TestClient
from tests.certificates_setup import award
from tests.factories import World


@pytest.fixture
def team_entry(db: Session, world: World, settings: Settings) -> Entry:
    """The world's team, with a Hong Kong phone, a consent, members and a business plan."""
    world.team.phone = "+85291234567"
    world.team.privacy_version = 1
    world.team.privacy_consented_at = utcnow()
    entry = factories.entry(
        db,
        world.contest,
        world.creative,
        owner=world.team,
        title="心电贴片",
        members=("李雷", "韩梅梅"),
        privacy_version=1,
        privacy_consented_at=utcnow(),
    )
    entry.leader_name = "陈晨"
    entry.leader_email = "chen@example.com"
    factories.document(db, entry, settings)
    db.add(
        OutboxMail(
            to="chen@example.com",
            kind="entry_submitted",
            subject="已收到",
            text="陈晨您好",
            html="<p>陈晨您好</p>",
            contest_id=world.contest.id,
            message_id="<test-1@example.org>",
        )
    )
    db.commit()
    return entry


def _finish(db: Session, world: World) -> None:
    world.contest.status = ContestStatus.finished
    db.add(world.contest)
    db.commit()


def test_export_as_json_holds_account_entries_members_consents_and_uploads(
    client: TestClient, db: Session, world: World, team_entry: Entry
) -> None:
    response = client.get(
        f"/api/v1/entries/{team_entry.id}/personal-data",
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["account"]["email"], data["account"]["phone"]) == (
        "team@example.com",
        "+85291234567",
    )
    [entry] = data["entries"]
    assert (entry["leader_name"], entry["leader_email"], entry["members"]) == (
        "陈晨",
        "chen@example.com",
        ["李雷", "韩梅梅"],
    )
    assert {(c["kind"], c["version"]) for c in data["consents"]} == {
        ("site_notice", 1),
        ("contest_notice", 1),
    }
    assert [(u["kind"], u["filename"]) for u in data["uploads"]] == [
        ("business_plan", "商业计划书.pdf")
    ]
    export = db.scalars(
        select(AuditRecord).where(AuditRecord.action == "personal_data.export")
    ).one()
    assert (export.actor_id, export.after["format"]) == (world.organiser.id, "json")


def test_export_as_xlsx_keeps_phones_as_text_with_their_plus(
    client: TestClient, db: Session, world: World, team_entry: Entry
) -> None:
    response = client.get(
        f"/api/v1/entries/{team_entry.id}/personal-data.xlsx",
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 5
    account = {row[0]: row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert account["phone"] == "+85291234567"  # text, not the number 85291234567
    entries = list(book.worksheets[1].iter_rows(values_only=True))
    phone_column = entries[0].index("leader_phone")
    assert entries[1][phone_column] == "+8613800138000"
    members = list(book.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert [row[2] for row in members] == ["李雷", "韩梅梅"]


def test_export_and_erase_are_for_the_contests_organisers_only(
    client: TestClient, db: Session, world: World, team_entry: Entry
) -> None:
    url = f"/api/v1/entries/{team_entry.id}/personal-data"

    assert client.get(url, headers=factories.bearer(client, world.team)).status_code == 403
    assert (
        client.get(url, headers=factories.bearer(client, world.other_organiser)).status_code == 404
    )
    erase = client.post(
        f"{url}/erase",
        json={"reason": "团队申请删除"},
        headers=factories.bearer(client, world.team),
    )
    assert erase.status_code == 403


def test_erasure_is_refused_while_the_contest_runs(
    client: TestClient, db: Session, world: World, team_entry: Entry
) -> None:
    response = client.post(
        f"/api/v1/entries/{team_entry.id}/personal-data/erase",
        json={"reason": "团队申请删除"},
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 409
    assert "finished" in response.json()["detail"] or "结束" in response.json()["detail"]
    db.expire_all()
    assert db.get(Entry, team_entry.id).leader_email == "chen@example.com"


def test_erasure_waits_for_an_open_objection_period_and_needs_a_reason(
    client: TestClient, db: Session, world: World, team_entry: Entry
) -> None:
    _finish(db, world)
    db.add(
        Publication(
            contest_id=world.contest.id,
            kind="awards",
            subject="awards",
            version=1,
            objections_close_at=utcnow() + timedelta(days=3),
        )
    )
    db.commit()
    url = f"/api/v1/entries/{team_entry.id}/personal-data/erase"
    headers = factories.bearer(client, world.organiser)

    no_reason = client.post(url, json={"reason": "  "}, headers=headers)
    window_open = client.post(url, json={"reason": "团队申请删除"}, headers=headers)

    assert no_reason.status_code == 422
    assert {e["loc"][-1] for e in no_reason.json()["detail"]} == {"reason"}
    assert window_open.status_code == 409
    db.expire_all()
    assert db.get(Entry, team_entry.id).personal_data_erased_at is None


def test_erasure_after_the_contest_removes_names_contacts_documents_and_the_account(
    client: TestClient, db: Session, world: World, team_entry: Entry, settings: Settings
) -> None:
    _finish(db, world)
    files = [
        settings.uploads_dir / d.stored_name
        for d in db.scalars(select(Document).where(Document.entry_id == team_entry.id))
    ]
    assert all(path.exists() for path in files)
    db.add(
        AuditRecord(
            actor_id=world.team.id,
            contest_id=world.contest.id,
            action="entry.update",
            object_type="entries",
            object_id=team_entry.id,
            before={"leader_email": "old@example.com", "title": "旧标题"},
            after={"leader_email": "chen@example.com", "leader_name": "陈晨", "title": "心电贴片"},
        )
    )
    db.commit()
    team_headers = factories.bearer(client, world.team)

    response = client.post(
        f"/api/v1/entries/{team_entry.id}/personal-data/erase",
        json={"reason": "团队书面申请删除（2023-12-01）"},
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 200, response.text
    assert response.json() == {
        "entry_ids": [team_entry.id],
        "kept_for_certificates": [],
        "documents_removed": 1,
        "mails_removed": 1,
        "account_erased": True,
    }
    db.expire_all()
    entry = db.get(Entry, team_entry.id)
    assert (entry.leader_name, entry.leader_email, entry.leader_phone) == ("已删除", "", "")
    assert entry.title == "心电贴片"
    assert entry.personal_data_erased_at is not None
    assert db.scalars(select(EntryMember).where(EntryMember.entry_id == entry.id)).first() is None
    assert db.scalars(select(Document).where(Document.entry_id == entry.id)).first() is None
    assert not any(path.exists() for path in files)
    assert db.scalars(select(OutboxMail).where(OutboxMail.to == "chen@example.com")).first() is None
    account = db.get(User, world.team.id)
    assert (account.name, account.phone, account.is_active) == ("已删除", "", False)
    assert account.email == f"erased-{account.id}@erased.invalid"
    # The old token ended, and nobody logs in with the old address any more.
    assert client.get("/api/v1/me", headers=team_headers).status_code == 401
    login = client.post(
        "/api/v1/auth/token", data={"username": "team@example.com", "password": factories.PASSWORD}
    )
    assert login.status_code == 401
    record = db.scalars(
        select(AuditRecord).where(AuditRecord.action == "personal_data.erase")
    ).one()
    assert (record.actor_id, record.reason) == (
        world.organiser.id,
        "团队书面申请删除（2023-12-01）",
    )
    # The audit log keeps no copy of what was erased.
    texts = " ".join(str((a.before, a.after)) for a in db.scalars(select(AuditRecord)))
    assert "chen@example.com" not in texts
    assert "陈晨" not in texts
    assert "心电贴片" in texts  # the title is printed and announced: it stays


def test_erasure_keeps_what_a_published_certificate_prints(
    client: TestClient, db: Session, world: World, team_entry: Entry
) -> None:
    _award, certificate = award(db, world.contest, team_entry)
    db.commit()
    _finish(db, world)

    response = client.post(
        f"/api/v1/entries/{team_entry.id}/personal-data/erase",
        json={"reason": "团队申请删除"},
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 200, response.text
    assert response.json()["kept_for_certificates"] == [team_entry.id]
    db.expire_all()
    entry = db.get(Entry, team_entry.id)
    assert (entry.leader_name, entry.institution, entry.leader_email, entry.leader_phone) == (
        "陈晨",
        "复旦大学",
        "",
        "",
    )
    members = db.scalars(select(EntryMember.name).where(EntryMember.entry_id == entry.id)).all()
    assert list(members) == ["李雷", "韩梅梅"]
    verified = client.get(f"/api/v1/verify/{certificate.code}")
    assert verified.status_code == 200
    assert "陈晨" in verified.text
    assert "chen@example.com" not in verified.text


def test_erasure_removes_objection_evidence_and_keeps_an_account_with_other_contests(
    client: TestClient, db: Session, world: World, team_entry: Entry, settings: Settings
) -> None:
    other = factories.contest(db, world.organiser, name="下一届大赛")
    other_track = factories.track(db, other, "creative")
    factories.entry(db, other, other_track, owner=world.team, title="下一届的项目")
    publication = Publication(
        contest_id=world.contest.id,
        kind="awards",
        subject="awards",
        version=1,
        objections_close_at=utcnow() - timedelta(days=1),
    )
    db.add(publication)
    db.flush()
    evidence = settings.uploads_dir / "objection-evidence.pdf"
    evidence.parent.mkdir(parents=True, exist_ok=True)
    evidence.write_bytes(factories.pdf_bytes("证据"))
    db.add(
        Objection(
            contest_id=world.contest.id,
            publication_id=publication.id,
            entry_id=team_entry.id,
            filed_by_id=world.team.id,
            reason="分数有误",
            state="rejected",
            document_name="证据.pdf",
            document_stored="objection-evidence.pdf",
            document_size=100,
        )
    )
    db.commit()
    _finish(db, world)

    response = client.post(
        f"/api/v1/entries/{team_entry.id}/personal-data/erase",
        json={"reason": "团队申请删除"},
        headers=factories.bearer(client, world.organiser),
    )

    assert response.status_code == 200, response.text
    assert (response.json()["documents_removed"], response.json()["account_erased"]) == (2, False)
    assert not evidence.exists()
    db.expire_all()
    assert db.get(User, world.team.id).is_active
    objection = db.scalars(select(Objection)).one()
    assert (objection.document_stored, objection.reason) == (None, "分数有误")
