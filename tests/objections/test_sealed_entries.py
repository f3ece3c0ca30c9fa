"""Sealed rounds through every door: once the contest's first round has opened, entries
imported from a file follow the rule of entries added one by one (a team may add none; an
organiser says why, audited, and the entries join the open first round), a team is no
longer offered the entry form, and an assignment in a closed round is refused: by hand
on the page as through the API, and automatic."""

import csv
import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from openpyxl import Workbook
from sqlalchemy import select

from contest.core.enums import EntryStatus
from contest.models import Assignment, AuditRecord, Entry, RoundEntry, utcnow
from tests import factories
from tests.judging_setup import read

HEADER = ["track_code", "title", "summary", "institution", "city", "leader_name", "leader_phone"]
ROWS = [
    ["creative", "补录项目甲", "简介", "复旦大学", "上海", "甲", "13800138000"],
    ["creative", "补录项目乙", "简介", "浙江大学", "杭州", "乙", "13800138001"],
]
REASON = "两个项目的纸质报名材料延误，经组委会同意补录"


def csv_file() -> tuple[str, bytes, str]:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([HEADER, *ROWS])
    return ("补录.csv", buffer.getvalue().encode("utf-8"), "text/csv")


def xlsx_file() -> tuple[str, bytes, str]:
    workbook = Workbook()
    for row in [HEADER, *ROWS]:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return ("补录.xlsx", buffer.getvalue(), "application/octet-stream")


FILES = {"csv": csv_file, "xlsx": xlsx_file}


def titles(db) -> list[str]:  # type: ignore[no-untyped-def]
    return [title for (title,) in read(db, select(Entry.title).order_by(Entry.id))]


def import_url(world) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/contests/{world.contest.id}/entries/import"


@pytest.mark.parametrize("kind", FILES)
def test_import_after_the_first_round_opened_needs_a_reason(client, db, world, kind):  # type: ignore[no-untyped-def]
    auth = factories.bearer(client, world.organiser)

    response = client.post(import_url(world), files={"file": FILES[kind]()}, headers=auth)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "late_reason"]
    assert titles(db) == []
    assert read(db, select(AuditRecord.id).where(AuditRecord.action.like("entry.%"))) == []


@pytest.mark.parametrize("kind", FILES)
def test_import_with_a_reason_joins_the_open_first_round_audited(client, db, world, kind):  # type: ignore[no-untyped-def]
    auth = factories.bearer(client, world.organiser)

    response = client.post(
        import_url(world),
        files={"file": FILES[kind]()},
        data={"late_reason": f"  {REASON} "},
        headers=auth,
    )

    assert response.status_code == 200, response.text
    assert response.json() == {"imported": 2}
    assert titles(db) == ["补录项目甲", "补录项目乙"]
    places = read(db, select(RoundEntry.round_id, RoundEntry.status))
    assert places == [(world.preliminary.id, EntryStatus.in_.value)] * 2
    records = read(db, select(AuditRecord.action, AuditRecord.reason))
    assert records == [("entry.late_import", REASON)]


def test_import_before_any_round_opened_needs_no_reason(client, db, world):  # type: ignore[no-untyped-def]
    world.preliminary.opens_at = None
    db.add(world.preliminary)
    db.commit()
    auth = factories.bearer(client, world.organiser)

    response = client.post(import_url(world), files={"file": csv_file()}, headers=auth)

    assert response.json() == {"imported": 2}
    assert read(db, select(AuditRecord.action, AuditRecord.reason)) == [("entry.import", "")]


def test_import_with_an_over_long_reason_is_422(client, db, world):  # type: ignore[no-untyped-def]
    auth = factories.bearer(client, world.organiser)

    response = client.post(
        import_url(world), files={"file": csv_file()}, data={"late_reason": "理" * 1001},
        headers=auth,
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "late_reason"
    assert titles(db) == []


def test_import_page_asks_why_and_shows_the_missing_reason(client, db, world):  # type: ignore[no-untyped-def]
    factories.login(client, world.organiser)
    url = f"/manage/contests/{world.contest.id}/entries/import"

    page = BeautifulSoup(client.get(url).text, "html.parser")
    missing = client.post(url, data=factories.form(client), files={"file": csv_file()})
    shown = BeautifulSoup(missing.text, "html.parser")
    nothing = titles(db)
    done = client.post(
        url, data=factories.form(client, {"late_reason": REASON}), files={"file": csv_file()},
        follow_redirects=False,
    )

    assert page.select_one("form.upload-form input[name=late_reason][required]") is not None
    assert missing.status_code == 422
    assert shown.select_one("#e-late_reason").get_text(strip=True) == (
        "赛段已经开始：请说明补录这些项目的理由（会记入审计日志）。"
    )
    assert shown.select("table.import-errors") == []
    assert nothing == []
    assert done.status_code == 303
    assert titles(db) == ["补录项目甲", "补录项目乙"]
    assert read(db, select(AuditRecord.reason)) == [(REASON,)]


def test_team_is_not_offered_the_entry_form_once_a_round_opened(client, db, world):  # type: ignore[no-untyped-def]
    factories.login(client, world.team)
    enter = f"/team/contests/{world.contest.id}/enter"

    dashboard = BeautifulSoup(client.get("/team").text, "html.parser")
    form = client.get(enter)
    sent = client.post(enter, data=factories.form(client, {
        "track_code": "creative", "title": "迟到的项目", "summary": "简介",
        "institution": "复旦大学", "city": "上海", "leader_name": "甲",
        "leader_phone": "13800138000",
    }))

    assert dashboard.select(f"a[href='{enter}']") == []
    assert form.status_code == 409
    assert "报名已截止：大赛的第一个赛段已经开始。" in form.text
    assert sent.status_code == 409
    assert titles(db) == []


def test_manual_assignment_on_the_page_in_a_closed_round_is_refused(client, db, world):  # type: ignore[no-untyped-def]
    entry = factories.entry(db, world.contest, world.creative, rounds=(world.preliminary,))
    world.preliminary.closes_at = utcnow() - timedelta(minutes=1)
    db.add(world.preliminary)
    db.commit()
    factories.login(client, world.organiser)
    url = f"/manage/rounds/{world.preliminary.id}/assignments"

    response = client.post(
        f"{url}/add",
        data=factories.form(client, {"judge_id": world.judges[0].id, "entry_id": entry.id}),
    )

    flash = BeautifulSoup(response.text, "html.parser").select_one(".flash-error")
    assert flash is not None
    assert flash.get_text(strip=True) == "本赛段已结束，不能再分配评委。"
    assert read(db, select(Assignment.id)) == []


def test_automatic_assignment_in_a_closed_round_is_409(client, db, world):  # type: ignore[no-untyped-def]
    factories.entry(db, world.contest, world.creative, rounds=(world.preliminary,))
    world.preliminary.closes_at = utcnow() - timedelta(minutes=1)
    db.add(world.preliminary)
    db.commit()
    auth = factories.bearer(client, world.organiser)
    url = f"/api/v1/rounds/{world.preliminary.id}/assignments"

    response = client.post(f"{url}/auto", json={"seed": 1}, headers=auth)

    assert response.status_code == 409
    assert response.json()["detail"] == "本赛段已结束，不能再分配评委。"
    assert read(db, select(Assignment.id)) == []


def test_organiser_entry_page_asks_why_once_a_round_opened(client, db, world):  # type: ignore[no-untyped-def]
    factories.login(client, world.organiser)
    url = f"/manage/contests/{world.contest.id}/entries/new"
    values = {
        "track_code": "creative", "title": "补录项目丙", "summary": "简介",
        "institution": "复旦大学", "city": "上海", "leader_name": "丙",
        "leader_phone": "13800138002", "privacy_consent": "1",
    }

    page = BeautifulSoup(client.get(url).text, "html.parser")
    missing = client.post(url, data=factories.form(client, values))
    shown = BeautifulSoup(missing.text, "html.parser")
    nothing = titles(db)
    done = client.post(
        url, data=factories.form(client, {**values, "late_reason": REASON}),
        follow_redirects=False,
    )

    assert page.select_one("input[name=late_reason][required]") is not None
    assert missing.status_code == 422
    assert shown.select_one("#e-late_reason").get_text(strip=True) == (
        "赛段已开始：请说明补录该项目的理由（将记入审计日志）。"
    )
    assert nothing == []
    assert done.status_code == 303
    assert titles(db) == ["补录项目丙"]
    assert read(db, select(RoundEntry.round_id)) == [(world.preliminary.id,)]
    assert read(db, select(AuditRecord.action, AuditRecord.reason)) == [
        ("entry.late_create", REASON)
    ]
