"""The organiser's certificates page: list, downloads, and revoking with a reason."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from sqlmodel import Session

from contest.core.enums import EntryStatus, Tier
from contest.models import Advancement, AuditRecord, Certificate, utcnow
from tests import factories
from tests.app_client import TestClient
from tests.certificates_setup import award
from tests.factories import World


@pytest.fixture
def issued(db: Session, world: World) -> list[Certificate]:
    found = []
    for tier, title in ((Tier.gold, "项目甲"), (Tier.silver, "项目乙")):
        entry = factories.entry(db, world.contest, world.startup, title=title)
        _item, certificate = award(db, world.contest, entry, tier)
        found.append(certificate)
    db.commit()
    return found


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def url(world: World) -> str:
    return f"/manage/contests/{world.contest.id}/certificates"


def test_certificates_page_lists_codes_with_downloads(
    client: TestClient, world: World, issued: list[Certificate]
) -> None:
    factories.login(client, world.organiser)

    page = soup(client.get(url(world)))

    items = page.select("li.cert-item")
    assert [i.select_one("h2").get_text(strip=True) for i in items] == ["项目甲", "项目乙"]
    assert [i.select_one(".cert-code").get_text(strip=True) for i in items] == [
        c.code for c in issued
    ]
    actions = page.select_one(".page-head .actions")
    assert [a["href"] for a in actions.select("a")] == [
        f"/api/v1/contests/{world.contest.id}/certificates.zip",
        f"/api/v1/contests/{world.contest.id}/certificates.pdf",
    ]
    assert items[0].select_one(f'a[href="/verify/{issued[0].code}"]') is not None
    assert page.select_one('.subnav a[aria-current="page"]')["href"].endswith("/certificates")


def test_certificates_are_reached_from_the_navigation_and_the_awards_page(
    client: TestClient, world: World, issued: list[Certificate]
) -> None:
    factories.login(client, world.organiser)

    overview = soup(client.get(f"/manage/contests/{world.contest.id}/entries"))
    awards = soup(client.get(f"/manage/contests/{world.contest.id}/awards"))

    assert overview.select_one(f'.subnav a[href="{url(world)}"]') is not None
    assert awards.select_one(f'.page-head .actions a[href="{url(world)}"]') is not None


def test_certificates_page_revokes_with_a_reason(
    client: TestClient, db: Session, world: World, issued: list[Certificate]
) -> None:
    factories.login(client, world.organiser)
    code = issued[0].code

    response = client.post(
        f"{url(world)}/revoke",
        data=factories.form(client, {"code": code, "reason": "重复申报"}),
        follow_redirects=True,
    )

    page = soup(response)
    assert page.select(".flash-success")[-1].get_text(strip=True) == f"证书 {code} 已撤销。"
    item = page.select_one(f"#cert-{code}")
    assert "is-revoked" in item["class"]
    assert item.select_one(".cert-reason").get_text(strip=True) == "撤销原因：重复申报"
    assert item.select_one("form") is None
    db.expire_all()
    assert db.scalars(select(Certificate).where(Certificate.code == code)).one().revoked_reason == (
        "重复申报"
    )
    assert db.scalars(select(AuditRecord.action)).all() == ["certificate.revoke"]


def test_certificates_page_blank_reason_shows_the_error_by_the_field(
    client: TestClient, db: Session, world: World, issued: list[Certificate]
) -> None:
    factories.login(client, world.organiser)
    code = issued[1].code

    response = client.post(
        f"{url(world)}/revoke", data=factories.form(client, {"code": code, "reason": "  "})
    )

    assert response.status_code == 422
    item = soup(response).select_one(f"#cert-{code}")
    assert item.select_one("details.cert-revoke").has_attr("open")
    assert item.select_one(".error").get_text(strip=True) == "请填写撤销此证书的原因。"
    db.expire_all()
    assert all(c.revoked_at is None for c in db.scalars(select(Certificate)))


def test_certificates_page_revoke_needs_csrf(
    client: TestClient, db: Session, world: World, issued: list[Certificate]
) -> None:
    factories.login(client, world.organiser)

    response = client.post(f"{url(world)}/revoke", data={"code": issued[0].code, "reason": "x"})

    assert response.status_code == 403
    db.expire_all()
    assert all(c.revoked_at is None for c in db.scalars(select(Certificate)))


def test_certificates_page_other_contests_code_is_not_found(
    client: TestClient, db: Session, world: World, issued: list[Certificate]
) -> None:
    other_track = factories.track(db, world.other_contest, "startup")
    mine = factories.contest(db, world.organiser, name="我的第二个大赛")
    _item, elsewhere = award(
        db, world.other_contest, factories.entry(db, world.other_contest, other_track)
    )
    db.commit()
    factories.login(client, world.organiser)

    response = client.post(
        f"/manage/contests/{mine.id}/certificates/revoke",
        data=factories.form(client, {"code": issued[0].code, "reason": "理由"}),
    )
    foreign = client.post(
        f"{url(world)}/revoke",
        data=factories.form(client, {"code": elsewhere.code, "reason": "理由"}),  # type: ignore[union-attr]
    )

    assert (response.status_code, foreign.status_code) == (404, 404)


def test_certificates_page_empty_before_publishing(client: TestClient, world: World) -> None:
    factories.login(client, world.organiser)

    page = soup(client.get(url(world)))

    assert page.select_one(".empty-state") is not None
    assert page.select_one(".page-head .actions") is None


@pytest.mark.parametrize(
    ("who", "expected"),
    [("team", 403), ("judge", 403), ("other_organiser", 404), ("anonymous", 303)],
)
def test_certificates_page_by_role(
    client: TestClient, world: World, issued: list[Certificate], who: str, expected: int
) -> None:
    people = {
        "team": world.team,
        "judge": world.judge_users[0],
        "other_organiser": world.other_organiser,
    }
    if who in people:
        factories.login(client, people[who])

    response = client.get(url(world), follow_redirects=False)

    assert response.status_code == expected
    if who == "anonymous":
        assert response.headers["location"].startswith("/login?next=")


def test_public_results_page_links_the_published_lists(
    client: TestClient, db: Session, world: World
) -> None:
    finalist = factories.entry(db, world.contest, world.startup, title="入围项目")
    factories.enrol(db, world.semifinal, finalist, EntryStatus.advanced)
    db.add(Advancement(round_id=world.semifinal.id, published_at=utcnow()))
    db.commit()
    results = f"/results/{world.contest.id}"
    pdf = f"/api/v1/contests/{world.contest.id}/results.pdf"

    before = soup(client.get(results)).select(".results-downloads a")
    award(db, world.contest, finalist, Tier.gold)
    db.commit()
    after = soup(client.get(results)).select(".results-downloads a")

    assert [a["href"] for a in before] == [f"{pdf}?list=finalists", "/verify"]
    assert [a["href"] for a in after] == [
        f"{pdf}?list=winners",
        f"{pdf}?list=finalists",
        f"/results/{world.contest.id}/signed",
        "/verify",
    ]
    assert client.get(after[0]["href"]).headers["content-type"] == "application/pdf"


def test_public_results_page_without_lists_has_no_downloads(
    client: TestClient, world: World
) -> None:
    page = soup(client.get(f"/results/{world.contest.id}"))

    assert page.select(".results-downloads") == []


def test_certificates_page_revoke_without_a_code_is_refused(
    client: TestClient, db: Session, world: World, issued: list[Certificate]
) -> None:
    factories.login(client, world.organiser)

    response = client.post(f"{url(world)}/revoke", data=factories.form(client, {"reason": "x"}))

    assert response.status_code == 422
    assert soup(response).select(".flash-error")[-1].get_text(strip=True) == "请选择要撤销的证书。"
    db.expire_all()
    assert all(c.revoked_at is None for c in db.scalars(select(Certificate)))
