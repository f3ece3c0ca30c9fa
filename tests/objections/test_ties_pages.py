"""Ties explained where the organisers decide: the advancement page and the awards page say
which step of the tie-break chain separated equal scores, or 并列 when none did, as the
results page does (tests/results/test_tie_break_api.py)."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from contest.models import Round, utcnow
from tests import factories
from tests.factories import World

# 甲 and 乙 have equal totals (85.0); 甲 is ahead on 技术与创新, the first tie-break step.
# 丙 and 丁 are equal on every criterion: tied after the whole chain.
SHEETS = {
    "甲": [300, 250, 150, 100, 50],
    "乙": [280, 250, 170, 100, 50],
    "丙": [200, 200, 100, 100, 50],
    "丁": [200, 200, 100, 100, 50],
}
EXPECTED = ["同分，按『技术与创新』决胜"] * 2 + ["并列"] * 2


def _arrange(db: Session, world: World, round_: Round) -> None:
    for title, values in SHEETS.items():
        entry = factories.entry(db, world.contest, world.startup, title=title, rounds=(round_,))
        for judge in world.judges:
            factories.sheet(db, round_, judge, entry, values)
    round_.opens_at = utcnow() - timedelta(days=1)
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.add(round_)
    db.commit()


def _badges(page) -> list[str]:  # type: ignore[no-untyped-def]
    soup = BeautifulSoup(page.text, "html.parser")
    return [b.get_text(strip=True) for b in soup.select(".badge-tie, .badge-tiebreak")]


@pytest.mark.parametrize("where", ["advancement", "awards"])
def test_tie_break_text_on_the_deciding_pages(client, db, world, where):  # type: ignore[no-untyped-def]
    round_ = world.preliminary if where == "advancement" else world.final
    _arrange(db, world, round_)
    factories.login(client, world.organiser)
    url = (
        f"/manage/rounds/{round_.id}/advancement"
        if where == "advancement"
        else f"/manage/contests/{world.contest.id}/awards?scope=per_track&gold=1&silver=1"
    )

    page = client.get(url)

    assert page.status_code == 200
    assert _badges(page) == EXPECTED
