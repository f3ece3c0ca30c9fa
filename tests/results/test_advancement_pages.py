"""The organiser's advancement page: preview with the boundary tie to choose, confirming
from the form (and being refused), the decision shown, publishing, permissions."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import Session

from contest.models import Advancement, Round, RoundEntry, utcnow
from tests import factories
from tests.factories import World
from tests.judging_setup import read


class Arranged:
    """Startup S1 > S2 > S3; creative C1 > C2 = C3 (exactly); two places per track."""

    def __init__(self, db: Session, world: World) -> None:
        self.world = world
        prelim = world.preliminary
        self.s = [
            factories.entry(db, world.contest, world.startup, title=f"S{i}", rounds=(prelim,))
            for i in range(1, 4)
        ]
        self.c = [
            factories.entry(db, world.contest, world.creative, title=f"C{i}", rounds=(prelim,))
            for i in range(1, 4)
        ]
        for entry, first in zip([*self.s, *self.c], (290, 280, 270, 290, 250, 250), strict=True):
            factories.sheet(db, prelim, world.judges[0], entry, [first, 200, 150, 100, 80])
        db.commit()

    @property
    def url(self) -> str:
        return f"/manage/rounds/{self.world.preliminary.id}/advancement"


def close(db: Session, round_: Round) -> None:
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.add(round_)
    db.commit()


@pytest.fixture
def arranged(db: Session, world: World) -> Arranged:
    return Arranged(db, world)


@pytest.fixture
def organiser(client, world):  # type: ignore[no-untyped-def]
    client.headers["Accept-Language"] = "en"
    return factories.login(client, world.organiser)


def soup_of(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def section(soup: BeautifulSoup, code: str):  # type: ignore[no-untyped-def]
    return soup.select_one(f'section.track-advance[data-track="{code}"]')


def ticks(soup: BeautifulSoup, code: str) -> dict[str, bool]:
    part = section(soup, code)
    return {
        row.select_one(".title-cell strong").get_text(): bool(
            row.select_one("input[name=entry]").has_attr("checked")
        )
        for row in part.select("tbody tr")
        if row.select("input[name=entry]")
    }


def form_of(soup: BeautifulSoup, client, **changes) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """The advancement form's fields as a browser would send them, ticks from ``changes``
    (title -> ticked) on top of the page's own."""
    fields = [("csrf_token", factories.csrf_token(client))]
    form = soup.select_one("form#advance-form")
    for hidden in form.select("input[type=hidden]"):
        if hidden["name"] != "csrf_token":
            fields.append((hidden["name"], hidden["value"]))
    for row in form.select("tbody tr"):
        box = row.select_one("input[name=entry]")
        if box is None:
            continue
        title = row.select_one(".title-cell strong").get_text()
        if changes.get(title, box.has_attr("checked")):
            fields.append(("entry", box["value"]))
    grouped: dict[str, list[str]] = {}
    for name, value in fields:
        grouped.setdefault(name, []).append(value)
    return grouped


def test_preview_ticks_the_top_and_asks_about_the_tie(organiser, arranged):
    soup = soup_of(organiser.get(arranged.url))

    assert ticks(soup, "startup") == {"S1": True, "S2": True, "S3": False}
    assert ticks(soup, "creative") == {"C1": True, "C2": False, "C3": False}
    tied = [
        r.select_one(".title-cell strong").get_text()
        for r in section(soup, "creative").select("tr.boundary-tie")
    ]
    assert tied == ["C2", "C3"]
    note = section(soup, "creative").select_one(".tie-note").get_text(" ", strip=True)
    assert "2 entries share rank 2 for 1 remaining places" in note
    assert section(soup, "startup").select_one(".tie-note") is None
    cut = section(soup, "startup").select_one("tr.cut-row")
    assert cut.find_previous_sibling("tr").select_one(".title-cell strong").get_text() == "S2"


def test_confirm_is_disabled_while_the_round_is_open(organiser, arranged):
    soup = soup_of(organiser.get(arranged.url))

    button = soup.select_one(".confirm-actions button[type=submit]")
    assert button.has_attr("disabled")
    assert soup.select_one("#blocked-note").get_text() == (
        "Scoring is still open. Close the round before confirming advancement."
    )
    assert (
        soup.select_one("#blocked a")["href"] == f"/manage/rounds/{arranged.world.preliminary.id}"
    )


def test_confirm_from_the_page(organiser, db, world, arranged):
    close(db, world.preliminary)
    soup = soup_of(organiser.get(arranged.url))
    fields = form_of(soup, organiser, C3=True) | {"reason": ["C3 路演材料更完整"]}

    response = organiser.post(arranged.url, data=fields, follow_redirects=False)

    assert response.status_code == 303
    a = arranged
    chosen = {a.s[0].id, a.s[1].id, a.c[0].id, a.c[2].id}
    rows = read(db, select(RoundEntry.entry_id).where(RoundEntry.round_id == world.semifinal.id))
    assert {entry_id for (entry_id,) in rows} == chosen
    page = soup_of(organiser.get(arranged.url))
    assert (
        "Advancement confirmed: 4 entries advance, 2 do not."
        in page.select_one(".flash-success").get_text()
    )
    facts = page.select_one("section.decision dl").get_text(" ", strip=True)
    assert "组委会" in facts
    assert "C3 路演材料更完整" in facts
    assert ticks(page, "creative") == {"C1": True, "C2": False, "C3": True}
    assert page.select_one("input[name=base]")["value"] == "decision"


def test_changed_ticks_without_reason_reshow_the_form(organiser, db, world, arranged):
    close(db, world.preliminary)
    soup = soup_of(organiser.get(arranged.url))

    response = organiser.post(arranged.url, data=form_of(soup, organiser, C2=True, S2=False))

    assert response.status_code == 422
    page = soup_of(response)
    assert page.select_one("#e-reason").get_text() == (
        "The list differs from the preview: give a reason (it goes to the audit log)."
    )
    assert ticks(page, "creative") == {"C1": True, "C2": True, "C3": False}
    assert ticks(page, "startup") == {"S1": True, "S2": False, "S3": False}
    assert read(db, select(Advancement)) == []


def test_unknown_number_in_add_is_shown_at_the_field(organiser, db, world, arranged):
    close(db, world.preliminary)
    soup = soup_of(organiser.get(arranged.url))
    fields = form_of(soup, organiser, C2=True) | {"add": ["99999"], "reason": ["补录"]}

    response = organiser.post(arranged.url, data=fields)

    assert response.status_code == 422
    assert soup_of(response).select_one("#e-add").get_text() == "Not entries of this round: 99999."
    assert soup_of(response).select_one("#f-add")["value"] == "99999"


def test_counts_change_the_preview(organiser, db, world, arranged):
    soup = soup_of(organiser.get(f"{arranged.url}?n_startup=3&n_creative=1"))

    assert ticks(soup, "startup") == {"S1": True, "S2": True, "S3": True}
    assert ticks(soup, "creative") == {"C1": True, "C2": False, "C3": False}
    hidden = {i["name"]: i["value"] for i in soup.select("form#advance-form input[type=hidden]")}
    assert (hidden["n_startup"], hidden["n_creative"]) == ("3", "1")
    bad = soup_of(organiser.get(f"{arranged.url}?n_startup=x"))
    assert bad.select_one(".counts-form + .error").get_text() == (
        "Each number must be a whole number, 0 or more."
    )


def test_publish_from_the_page(organiser, db, world, arranged):
    close(db, world.preliminary)
    soup = soup_of(organiser.get(arranged.url))
    organiser.post(arranged.url, data=form_of(soup, organiser, C2=True) | {"reason": ["抽签"]})

    response = organiser.post(
        f"{arranged.url}/publish",
        data=factories.form(organiser, {"feedback": "1"}),
        follow_redirects=False,
    )

    assert response.status_code == 303
    [(item,)] = read(db, select(Advancement))
    assert item.published_at is not None
    db.refresh(world.preliminary)
    assert world.preliminary.feedback_published_at is not None
    page = soup_of(organiser.get(arranged.url))
    assert page.select_one("form#advance-form") is None
    assert page.select_one("section.decision .badge").get_text() == "Published"
    listed = [
        r.select_one("strong").get_text() for r in page.select("table.published-table tbody tr")
    ]
    assert listed == ["S1", "S2", "C1", "C2"]


def test_last_round_page_points_to_the_awards(organiser, world, arranged):
    soup = soup_of(organiser.get(f"/manage/rounds/{world.final.id}/advancement"))

    assert soup.select_one("form#advance-form") is None
    assert soup.select_one(".flash-info a")["href"] == f"/manage/contests/{world.contest.id}/awards"


ROUTES = [
    ("get", "advancement"),
    ("post", "advancement"),
    ("post", "advancement/publish"),
    ("post", "feedback/publish"),
]


@pytest.mark.parametrize(("method", "tail"), ROUTES)
@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 303), ("team", 403), ("judge", 403), ("other_organiser", 404)],
)
def test_advancement_page_permissions(client, db, world, arranged, method, tail, who, expected):
    close(db, world.preliminary)
    accounts = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    if who in accounts:
        factories.login(client, accounts[who])
    url = f"/manage/rounds/{world.preliminary.id}/{tail}"

    if method == "get":
        response = client.get(url, follow_redirects=False)
    else:
        data = factories.form(client, {"entry": str(arranged.s[0].id), "reason": "x"})
        response = client.post(url, data=data, follow_redirects=False)

    assert response.status_code == expected
    if who == "anonymous":
        assert response.headers["location"].startswith("/login?next=")
    assert read(db, select(Advancement)) == []
