"""A team's personal data as the contest holds it, for export (JSON or XLSX).

"The team" is the account that owns the entry and every entry it has in this contest;
an entry an organiser added or imported (no account) is a team of one entry. What is
exported: the account, the entries with their members, the consents (the site's notice
at sign-up, the contest's notice per entry, what each entry agreed to share with
investors) and the list of uploads (documents and objection evidence; the files
themselves are downloaded from the entry's page).
"""

import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core.i18n import _
from contest.entries.service import VALUE_FIELDS
from contest.entries.views import award_of, documents_by_entry, members_by_entry
from contest.kit.xlsx import Kind, XlsxWriter
from contest.models import (
    Contest,
    Entry,
    EntryConsent,
    Objection,
    Track,
    User,
    utcnow,
)

ENTRY_FIELDS = (
    "id",
    *VALUE_FIELDS,
    "created_at",
    "updated_at",
    "withdrawn_at",
    "privacy_version",
    "privacy_consented_at",
    "personal_data_erased_at",
)


def team_entries(db: Session, entry: Entry) -> list[Entry]:
    """The entry and the other entries its account has in the same contest."""
    if entry.owner_id is None:
        return [entry]
    return list(
        db.scalars(
            select(Entry)
            .where(col(Entry.contest_id) == entry.contest_id, col(Entry.owner_id) == entry.owner_id)
            .order_by(col(Entry.id))
        )
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


def _account(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    names = (
        "id",
        "email",
        "name",
        "phone",
        "institution",
        "created_at",
        "last_login_at",
        "privacy_version",
        "privacy_consented_at",
        "erased_at",
    )
    return {name: _plain(getattr(user, name)) for name in names}


def collect(db: Session, entry: Entry) -> dict[str, Any]:
    """Everything personal the contest holds about the entry's team, JSON-ready."""
    contest = db.get(Contest, entry.contest_id)
    assert contest is not None
    found = team_entries(db, entry)
    ids = [e.id for e in found]
    owner = db.get(User, entry.owner_id) if entry.owner_id is not None else None
    members = members_by_entry(db, ids)
    documents = documents_by_entry(db, ids, current_only=False)
    tracks = {
        t.id: t.code for t in db.scalars(select(Track).where(col(Track.contest_id) == contest.id))
    }
    entries = []
    for item in found:
        award, certificate = award_of(db, item.id)
        entries.append(
            {
                **{name: _plain(getattr(item, name)) for name in ENTRY_FIELDS},
                "track_code": tracks.get(item.track_id, ""),
                "members": members.get(item.id, []),
                "award": None
                if award is None or award.published_at is None
                else {
                    "tier": award.tier,
                    "name": award.custom_name,
                    "certificate_code": certificate.code if certificate else None,
                },
            }
        )
    consents: list[dict[str, Any]] = []
    if owner is not None and owner.privacy_version is not None:
        consents.append(
            {
                "kind": "site_notice",
                "entry_id": None,
                "version": owner.privacy_version,
                "at": _plain(owner.privacy_consented_at),
            }
        )
    for item in found:
        if item.privacy_version is not None:
            consents.append(
                {
                    "kind": "contest_notice",
                    "entry_id": item.id,
                    "version": item.privacy_version,
                    "at": _plain(item.privacy_consented_at),
                }
            )
    for shared in db.scalars(select(EntryConsent).where(col(EntryConsent.entry_id).in_(ids))):
        consents.append(
            {
                "kind": "investors",
                "entry_id": shared.entry_id,
                "version": None,
                "at": _plain(shared.updated_at),
                "share_business_plan": shared.share_business_plan,
                "contact": shared.contact,
                "publish_deals": shared.publish_deals,
            }
        )
    uploads = [
        {
            "kind": document.kind,
            "entry_id": entry_id,
            "objection_id": None,
            "filename": document.filename,
            "size": document.size,
            "sha256": document.sha256,
            "uploaded_at": _plain(document.uploaded_at),
            "replaced_at": _plain(document.replaced_at),
        }
        for entry_id in ids
        for document in documents.get(entry_id, [])
    ]
    objections = db.scalars(
        select(Objection).where(col(Objection.entry_id).in_(ids)).order_by(col(Objection.id))
    )
    uploads.extend(
        {
            "kind": "objection_evidence",
            "entry_id": objection.entry_id,
            "objection_id": objection.id,
            "filename": objection.document_name,
            "size": objection.document_size,
            "sha256": None,
            "uploaded_at": _plain(objection.created_at),
            "replaced_at": None,
        }
        for objection in objections
        if objection.document_stored
    )
    return {
        "exported_at": utcnow().isoformat(),
        "contest": {"id": contest.id, "name": contest.name},
        "account": _account(owner),
        "entries": entries,
        "consents": consents,
        "uploads": uploads,
    }


def _sheet_rows(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> list[list[Any]]:
    return [["" if row.get(name) is None else row.get(name) for name in names] for row in rows]


def _texts(rows: list[list[Any]]) -> list[list[str]]:
    """Every cell as text: times stay ISO 8601 with their zone."""
    return [[str(value) for value in row] for row in rows]


def xlsx_bytes(data: dict[str, Any]) -> bytes:
    """The export as a workbook: one sheet each for the account, entries, members,
    consents and uploads. Phones, codes and e-mails are text cells (Excel keeps the +)."""
    entry_names = [*ENTRY_FIELDS, "track_code"]
    member_rows = [
        [entry["id"], position + 1, name]
        for entry in data["entries"]
        for position, name in enumerate(entry["members"])
    ]
    consent_names = [
        "kind",
        "entry_id",
        "version",
        "at",
        "share_business_plan",
        "contact",
        "publish_deals",
    ]
    upload_names = [
        "kind",
        "entry_id",
        "objection_id",
        "filename",
        "size",
        "sha256",
        "uploaded_at",
        "replaced_at",
    ]
    account = data["account"]
    account_rows = [
        [name, "" if value is None else str(value)] for name, value in (account or {}).items()
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "personal-data.xlsx"
        with XlsxWriter(path) as book:
            book.add_sheet(
                _("Account"),
                [_("Field"), _("Value")],
                ["text", "code"],
                account_rows,
                widths=[22, 40],
            )
            book.add_sheet(
                _("Entries"),
                entry_names,
                _kinds(entry_names),
                _texts(_sheet_rows(data["entries"], entry_names)),
            )
            book.add_sheet(
                _("Members"), ["entry_id", "position", "name"], ["int", "int", "text"], member_rows
            )
            book.add_sheet(
                _("Consents"),
                consent_names,
                ["text"] * len(consent_names),
                _texts(_sheet_rows(data["consents"], consent_names)),
            )
            book.add_sheet(
                _("Uploads"),
                upload_names,
                ["text"] * len(upload_names),
                _texts(_sheet_rows(data["uploads"], upload_names)),
            )
        return path.read_bytes()


def _kinds(names: Sequence[str]) -> list[Kind]:
    return ["code" if name in {"leader_phone", "credit_code"} else "text" for name in names]
