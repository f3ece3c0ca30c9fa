"""The public verification pages: the form, and valid, revoked and unknown codes."""

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session

from contest.core.enums import Tier
from contest.models import Certificate, utcnow
from tests import factories
from tests.app_client import TestClient
from tests.certificates_setup import award
from tests.factories import World

CODE = "TJ-WXYZ-ABCD-2345-6789"


@pytest.fixture
def gold(db: Session, world: World) -> Certificate:
    entry = factories.entry(
        db,
        world.contest,
        world.startup,
        title="新型可降解心血管支架材料",
        members=("陈思雨", "周文博"),
        institution="上海交通大学",
    )
    _item, certificate = award(db, world.contest, entry, Tier.gold, code=CODE)
    assert certificate is not None
    db.commit()
    return certificate


def soup(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    return BeautifulSoup(response.text, "html.parser")


def facts(page: BeautifulSoup) -> dict[str, str]:
    terms = page.select(".verify-card dl.facts dt")
    return {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(strip=True) for dt in terms
    }


def test_verify_form_sends_the_code_to_its_page(client: TestClient) -> None:
    page = soup(client.get("/verify"))
    form = page.select_one("form.verify-form")

    response = client.get(
        "/verify", params={"code": " tj-wxyz-abcd-2345-6789 "}, follow_redirects=False
    )

    assert (form["method"], form["action"], form.select_one("input")["name"]) == (
        "get",
        "/verify",
        "code",
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/verify/tj-wxyz-abcd-2345-6789"


def test_verify_page_valid_is_green_with_the_certificate(
    client: TestClient, gold: Certificate
) -> None:
    response = client.get("/verify/tj wxyz abcd 2345 6789")

    assert response.status_code == 200
    page = soup(response)
    card = page.select_one(".verify-card")
    assert "verify-valid" in card["class"]
    assert card.select_one(".verify-state").get_text(strip=True).endswith("证书有效")
    assert card.select_one(".verify-award").get_text(strip=True) == "金奖 Gold Award"
    assert facts(page) == {
        "大赛": "2023年第二届“天骄湾杯”生命健康创新创业大赛",
        "奖项": "金奖 Gold Award",
        "组别": "创业组",
        "负责人": "王五",
        "团队成员": "陈思雨、周文博",
        "单位": "上海交通大学",
        "主办单位": "上海市普陀区科学技术委员会、某大学科技园",
        "颁发日期": "2023年11月23日",
        "证书编号": CODE,
    }
    assert card.select_one(".verify-title").get_text(strip=True) == "新型可降解心血管支架材料"


def test_verify_page_in_english(client: TestClient, gold: Certificate) -> None:
    client.cookies.set("tj_lang", "en")

    page = soup(client.get(f"/verify/{CODE}"))

    assert page.select_one(".verify-state").get_text(strip=True).endswith("Valid certificate")
    assert facts(page)["Issued on"] == "2023-11-23"


def test_verify_page_revoked_is_red_with_the_date_only(
    client: TestClient, db: Session, gold: Certificate
) -> None:
    gold.revoked_at = utcnow()
    gold.revoked_reason = "内部原因"
    db.add(gold)
    db.commit()

    response = client.get(f"/verify/{CODE}")

    assert response.status_code == 200
    page = soup(response)
    card = page.select_one(".verify-card")
    assert "verify-revoked" in card["class"]
    assert set(facts(page)) == {"证书编号", "所属大赛", "撤销日期"}
    text = card.get_text()
    assert "金奖" not in text
    assert "新型可降解心血管支架材料" not in text
    assert "内部原因" not in text
    assert "证书已撤销" in text


def test_verify_page_unknown_code_is_a_404_with_the_form(
    client: TestClient, gold: Certificate
) -> None:
    response = client.get("/verify/TJ-0000-<b>x")

    assert response.status_code == 404
    page = soup(response)
    card = page.select_one(".verify-card")
    assert "verify-unknown" in card["class"]
    assert "TJ-0000-<b>x" in card.get_text()  # shown as text, never as markup
    assert card.select_one("b") is None
    assert card.select_one("form.verify-form input[name=code]") is not None


def test_verify_page_needs_no_login_and_is_in_the_main_navigation(client: TestClient) -> None:
    page = soup(client.get("/"))

    assert page.select_one('nav.main-nav a[href="/verify"]') is not None
