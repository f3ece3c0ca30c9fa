"""English names on the award side: custom award names in English through the API, the
public results in English (with the Chinese name where no English one is set), and
certificates that print the English names."""

import io

import pypdf
from bs4 import BeautifulSoup
from sqlmodel import Session

from tests import factories
from tests.awards_setup import arrange_ranked


def results_page(client, world, language: str) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    response = client.get(f"/results/{world.contest.id}", headers={"Accept-Language": language})
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def publish(make_client, db: Session, world: factories.World) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    world.contest.name_en = "Tianjiao Bay Cup 2023"
    world.startup.name_en = "Startup track"  # the creative track has no English name
    db.add_all([world.contest, world.startup])
    db.commit()
    arrange_ranked(db, world, startup=(290, 280, 270), creative=(285, 275))
    api = make_client()
    api.headers.update(factories.bearer(api, world.organiser))
    base = f"/api/v1/contests/{world.contest.id}/awards"
    saved = api.post(
        base,
        json={
            "custom_names": {"gold": "最佳项目奖", "silver": "优胜奖"},
            "custom_names_en": {"gold": "Best Project Award"},
        },
    )
    assert saved.status_code == 200, saved.text
    published = api.post(base + "/publish")
    assert published.status_code == 200
    return published.json()  # type: ignore[no-any-return]


def test_custom_award_names_in_english_round_trip(make_client, db, world) -> None:
    awards = publish(make_client, db, world)

    names = {(a["tier"], a["custom_name"], a["custom_name_en"]) for a in awards}

    assert names == {
        ("gold", "最佳项目奖", "Best Project Award"),
        ("silver", "优胜奖", ""),
    }  # three startups and two creative projects: a gold and up to two silvers each


def test_public_results_in_english_use_english_names_else_chinese(
    client, make_client, db, world
) -> None:
    publish(make_client, db, world)

    english = results_page(client, world, "en")
    chinese = results_page(client, world, "zh")

    assert english.h1.get_text(strip=True) == "Tianjiao Bay Cup 2023"
    assert chinese.h1.get_text(strip=True) == world.contest.name
    tracks = [h.get_text(strip=True) for h in english.select(".results-track h3")]
    assert tracks == ["Startup track", "创意组"]
    assert [h.get_text(strip=True) for h in chinese.select(".results-track h3")] == [
        "创业组", "创意组",
    ]  # fmt: skip
    startup = english.select(".results-track")[0]
    badges = [b.get_text(strip=True) for b in startup.select(".badge")]
    assert badges[0] == "Best Project Award"
    assert badges[1] == "优胜奖"  # no English given: the Chinese custom name
    assert chinese.select(".results-track")[0].select(".badge")[0].get_text(strip=True) == (
        "最佳项目奖"
    )


def test_certificates_print_the_english_names(make_client, db, world) -> None:
    awards = publish(make_client, db, world)
    gold = next(a for a in awards if a["tier"] == "gold" and a["track_code"] == "startup")
    api = make_client()
    api.headers.update(factories.bearer(api, world.organiser))

    response = api.get(f"/api/v1/awards/{gold['id']}/certificate.pdf")

    assert response.status_code == 200
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Tianjiao Bay Cup 2023" in text
    assert "Best Project Award" in text
    assert "最佳项目奖" in text.replace(" ", "")


def test_announcement_pdf_has_an_english_version_with_english_names(
    client, make_client, db, world
) -> None:
    publish(make_client, db, world)
    url = f"/api/v1/contests/{world.contest.id}/results.pdf?list=winners"

    official = client.get(url, headers={"Accept-Language": "en"})
    english = client.get(url + "&lang=en")
    wrong = client.get(url + "&lang=fr")

    def text(response) -> str:  # type: ignore[no-untyped-def]
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
        return "\n".join(page.extract_text() for page in pages)

    chinese, translated = text(official), text(english)
    assert "获奖名单公示" in chinese  # the official notice stays Chinese, whoever asks
    assert "Tianjiao Bay Cup 2023" not in chinese
    assert "Award winners: public notice" in translated
    assert "Tianjiao Bay Cup 2023" in translated
    assert "Startup track (3 projects)" in translated
    assert "创意组 (2 projects)" in translated  # no English name: the Chinese one
    assert "Best Project Award" in translated
    assert "the Chinese notice is the official one" in translated.replace("\n", " ")
    assert "Page 1 of 1" in translated
    assert wrong.status_code == 422
    assert wrong.json()["detail"][0]["loc"] == ["query", "lang"]


def test_public_results_page_in_english_links_the_english_lists(
    client, make_client, db, world
) -> None:
    publish(make_client, db, world)

    english = results_page(client, world, "en").select(".results-downloads a")
    chinese = results_page(client, world, "zh").select(".results-downloads a")

    pdf = f"/api/v1/contests/{world.contest.id}/results.pdf"
    assert f"{pdf}?list=winners&lang=en" in [a["href"] for a in english]
    assert f"{pdf}?list=winners" in [a["href"] for a in english]  # the official one too
    assert not any("lang=en" in a["href"] for a in chinese)


def test_an_english_award_name_without_its_custom_name_is_a_422(make_client, db, world) -> None:
    arrange_ranked(db, world, startup=(290, 280, 270), creative=(285, 275))
    api = make_client()
    api.headers.update(factories.bearer(api, world.organiser))
    base = f"/api/v1/contests/{world.contest.id}/awards"

    response = api.post(base, json={"custom_names_en": {"gold": "Best Project Award"}})

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "custom_names_en"]]
    assert api.get(base).json() == []
