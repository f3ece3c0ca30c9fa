"""Identifiers and phone numbers in CSV stay text in spreadsheets and round-trip.

An all-digit credit code (913100001234567896) or a phone number written plainly is read
as a number by Excel, WPS and LibreOffice (9.13100001234568E+17). The export writes them
as ="…"; LibreOffice, run headless when installed, shows that it keeps them as text and
that what it saves imports again.
"""

import csv
import io
import os
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from contest.kit.tables import code_cell, code_text, safe_cell
from contest.models import Entry
from tests import factories
from tests.app_client import TestClient
from tests.factories import World

CODE = "913100001234567896"  # valid, all digits (GB 32100-2015 check digit 6)
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (CODE, f'="{CODE}"'),
        ("13800138000", '="13800138000"'),
        ("0571-8765432", '="0571-8765432"'),
        ("+8613800138000", '="+8613800138000"'),
        ("91310000MA1FL4B24G", "91310000MA1FL4B24G"),
        ("=1+1", "'=1+1"),
        ("", ""),
        ("-", "'-"),
    ],
)
def test_code_cells(value: str, cell: str) -> None:
    assert code_cell(value) == cell
    assert code_text(cell) == (value if cell.startswith('="') else cell)


def test_code_text_leaves_other_formulas_alone() -> None:
    assert code_text('="x"&A1') == '="x"&A1'
    assert code_text(safe_cell('="1"')) == "'=\"1\""


@pytest.fixture
def exported(client: TestClient, db: Session, world: World) -> tuple[bytes, dict[str, str]]:
    factories.entry(db, world.contest, world.startup, title="纯数字信用代码", company_name="某公司",
                    credit_code=CODE, founded_on=date(2022, 3, 1))
    landline = factories.entry(db, world.contest, world.creative, title="座机")
    landline.leader_phone = "+8657187654321"  # 0571-87654321, stored in E.164
    db.add(landline)
    db.commit()
    headers = factories.bearer(client, world.organiser)
    response = client.get(f"/api/v1/contests/{world.contest.id}/entries.csv", headers=headers)
    assert response.status_code == 200
    return response.content, headers  # fmt: skip


def _copy(db: Session, world: World) -> int:
    copy = factories.contest(db, world.organiser, name="复制的大赛")
    factories.track(db, copy, "startup", requires_company=True)
    factories.track(db, copy, "creative")
    db.commit()
    return copy.id


def _import(client: TestClient, contest_id: int, headers: dict[str, str], data: bytes,
            name: str) -> dict[str, object]:  # fmt: skip
    response = client.post(
        f"/api/v1/contests/{contest_id}/entries/import",
        files={"file": (name, data, "application/octet-stream")},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _codes(db: Session, contest_id: int) -> list[tuple[str, str]]:
    rows = db.execute(
        select(Entry.credit_code, Entry.leader_phone)
        .where(Entry.contest_id == contest_id)
        .order_by(Entry.id)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_export_writes_codes_as_text_and_imports_them_back(
    client: TestClient, db: Session, world: World, exported: tuple[bytes, dict[str, str]]
) -> None:
    data, headers = exported
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    target = _copy(db, world)

    result = _import(client, target, headers, data, "entries.csv")

    # The "+" of E.164 survives: the cell is text (="..."), not a number.
    assert (rows[0]["credit_code"], rows[0]["leader_phone"]) == (
        f'="{CODE}"', '="+8613800138000"'
    )
    assert rows[1]["leader_phone"] == '="+8657187654321"'
    assert result == {"imported": 2}
    assert _codes(db, target) == [(CODE, "+8613800138000"), ("", "+8657187654321")]


def _soffice(source: Path, target: str, out: Path, profile: Path) -> Path:
    # 44,34,76,1: comma-separated, quoted with ", UTF-8, from line 1.
    subprocess.run(
        [SOFFICE, "--headless", f"-env:UserInstallation=file://{profile}",
         "--infilter=CSV:44,34,76,1", "--convert-to", target, "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return out / f"{source.stem}.{target.split(':')[0]}"


# CI installs LibreOffice and sets TIANJIAO_REQUIRE_TOOLS=1: there a missing one fails.
@pytest.mark.skipif(
    SOFFICE is None and os.environ.get("TIANJIAO_REQUIRE_TOOLS") != "1",
    reason="no LibreOffice (apt: libreoffice-calc-nogui)",
)
def test_libreoffice_keeps_codes_as_text_and_its_files_import_again(
    client: TestClient, db: Session, world: World, exported: tuple[bytes, dict[str, str]],
    tmp_path: Path,
) -> None:  # fmt: skip
    data, headers = exported
    source = tmp_path / "entries.csv"
    source.write_bytes(data)
    profile = tmp_path / "profile"
    xlsx = _soffice(source, "xlsx", tmp_path / "xlsx", profile)
    # What LibreOffice saves back as CSV (UTF-8), as someone editing the file would.
    as_csv = "csv:Text - txt - csv (StarCalc):44,34,76,1"
    saved = _soffice(source, as_csv, tmp_path / "csv", profile)

    with zipfile.ZipFile(xlsx) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in \
            book.namelist() else ""  # fmt: skip
    assert "E+17" not in sheet  # never a number in the sheet
    assert "E+017" not in sheet
    assert CODE in sheet + strings
    assert "+8657187654321" in sheet + strings
    first = _import(client, _copy(db, world), headers, xlsx.read_bytes(), "entries.xlsx")
    assert first == {"imported": 2}
    texts = list(csv.DictReader(io.StringIO(saved.read_bytes().decode("utf-8-sig"))))
    assert (texts[0]["credit_code"], texts[0]["leader_phone"]) == (CODE, "+8613800138000")
    copy = factories.contest(db, world.organiser, name="再复制的大赛")
    factories.track(db, copy, "startup", requires_company=True)
    factories.track(db, copy, "creative")
    db.commit()
    assert _import(client, copy.id, headers, saved.read_bytes(), "entries.csv") == {"imported": 2}
    assert _codes(db, copy.id) == [(CODE, "+8613800138000"), ("", "+8657187654321")]
