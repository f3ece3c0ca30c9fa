"""Reopening scoring of a closed round asks for a reason on the page, and is not offered
(and refused) once the round's advancement is published."""

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from contest.models import AuditRecord, Round, utcnow
from tests import factories
from tests.judging_setup import read
from tests.objections.publication_setup import Published


def _close(db, round_):  # type: ignore[no-untyped-def]
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.add(round_)
    db.commit()


def test_reopening_a_closed_round_needs_a_reason(client, db, world):
    _close(db, world.preliminary)
    factories.login(client, world.organiser)
    url = f"/manage/rounds/{world.preliminary.id}"

    page = BeautifulSoup(client.get(url).text, "html.parser")
    without = client.post(f"{url}/open", data=factories.form(client), follow_redirects=False)
    still_closed = read(db, select(Round.closes_at).where(Round.id == world.preliminary.id))
    with_reason = client.post(
        f"{url}/open", data=factories.form(client, {"reason": "一位评委漏评"}),
        follow_redirects=False,
    )

    form = page.select_one("details.reopen-round form")
    assert form is not None
    assert form.get("data-confirm")
    assert form.select_one("input[name=reason][required]") is not None
    assert without.status_code == 303
    assert still_closed[0][0] is not None
    assert with_reason.status_code == 303
    records = read(db, select(AuditRecord.reason).where(AuditRecord.action == "round.open"))
    assert records == [("一位评委漏评",)]


def test_no_reopening_once_advancement_is_published(client, db, world):
    arranged = Published(db, world, client)
    arranged.confirm()
    arranged.publish()
    client.headers.pop("Authorization", None)
    factories.login(client, world.organiser)
    url = f"/manage/rounds/{world.preliminary.id}"

    page = BeautifulSoup(client.get(url).text, "html.parser")
    refused = client.post(
        f"{url}/open", data=factories.form(client, {"reason": "想改"}), follow_redirects=False
    )

    assert page.select_one("details.reopen-round") is None
    assert page.select_one(f"form[action='{url}/open']") is None
    assert refused.status_code == 303
    assert read(db, select(AuditRecord.id).where(AuditRecord.action == "round.open")) == []
