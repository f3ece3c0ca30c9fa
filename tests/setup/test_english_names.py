"""English names of contest content (contest/core/i18n/names.py): set through the API and
the set-up forms, shown on English pages, and the Chinese name wherever none is set."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from contest.models import Contest, Criterion, Round, Track
from tests import factories

RUBRIC = [
    {"name": "技术与创新", "name_en": "Technology and innovation", "max_score": 60},
    {"name": "团队", "max_score": 40},
]


def page_of(response) -> BeautifulSoup:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def test_english_names_round_trip_through_the_api(client, db, world) -> None:
    client.headers.update(factories.bearer(client, world.organiser))

    contest = client.post(
        "/api/v1/contests",
        json={"name": "2024年第三届“天骄湾杯”", "name_en": " Tianjiao Bay Cup 2024 ", "year": 2024},
    ).json()
    track = client.post(
        f"/api/v1/contests/{contest['id']}/tracks",
        json={"code": "startup", "name": "创业组", "name_en": "Startup track"},
    ).json()
    plain = client.post(
        f"/api/v1/contests/{contest['id']}/tracks", json={"code": "creative", "name": "创意组"}
    ).json()
    round_ = client.post(
        f"/api/v1/contests/{contest['id']}/rounds",
        json={
            "name": "初赛", "name_en": "Preliminary", "kind": "preliminary", "order": 1,
            "criteria": RUBRIC,
        },
    ).json()  # fmt: skip

    assert (contest["name_en"], track["name_en"], plain["name_en"]) == (
        "Tianjiao Bay Cup 2024", "Startup track", "",
    )  # fmt: skip
    assert round_["name_en"] == "Preliminary"
    assert [c["name_en"] for c in round_["criteria"]] == ["Technology and innovation", ""]
    assert client.get(f"/api/v1/contests/{contest['id']}").json()["name_en"] == (
        "Tianjiao Bay Cup 2024"
    )
    listed = client.get(f"/api/v1/contests/{contest['id']}/tracks").json()
    assert [t["name_en"] for t in listed] == ["Startup track", ""]
    assert client.get(f"/api/v1/rounds/{round_['id']}").json()["name_en"] == "Preliminary"

    changed = client.patch(f"/api/v1/contests/{contest['id']}", json={"name_en": ""})
    renamed = client.patch(f"/api/v1/rounds/{round_['id']}", json={"name_en": "First round"})
    assert (changed.status_code, changed.json()["name_en"]) == (200, "")
    assert (renamed.status_code, renamed.json()["name_en"]) == (200, "First round")
    stored = db.scalars(select(Round.name_en).where(Round.id == round_["id"])).one()
    assert stored == "First round"


def test_an_english_name_too_long_is_a_422_naming_the_field(client, db, world) -> None:
    client.headers.update(factories.bearer(client, world.organiser))

    response = client.post(
        f"/api/v1/contests/{world.contest.id}/tracks",
        json={"code": "health", "name": "健康组", "name_en": "x" * 101},
    )

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "name_en"]]
    assert db.scalars(select(Track).where(Track.code == "health")).first() is None


def test_null_english_name_is_refused_not_stored(client, world) -> None:
    client.headers.update(factories.bearer(client, world.organiser))

    response = client.patch(f"/api/v1/contests/{world.contest.id}", json={"name_en": None})

    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "name_en"]]


def test_english_pages_show_english_names_and_fall_back_to_chinese(client, db, world) -> None:
    world.contest.name_en = "Tianjiao Bay Cup"
    world.startup.name_en = "Startup track"  # the creative track has none
    world.preliminary.name_en = "Preliminary"
    db.add_all([world.contest, world.startup, world.preliminary])
    db.commit()
    factories.login(client, world.organiser)
    url = f"/manage/contests/{world.contest.id}"

    english = page_of(client.get(url, headers={"Accept-Language": "en"}))
    chinese = page_of(client.get(url, headers={"Accept-Language": "zh"}))
    round_page = page_of(
        client.get(f"/manage/rounds/{world.preliminary.id}", headers={"Accept-Language": "en"})
    )

    assert english.h1.get_text(" ", strip=True).startswith("Tianjiao Bay Cup")
    assert chinese.h1.get_text(" ", strip=True).startswith(world.contest.name)
    nav = [a.get_text(strip=True) for a in english.select(".subnav a")]
    assert "Preliminary" in nav
    assert world.semifinal.name in nav  # no English name: the Chinese one
    round_head = round_page.select_one(".breadcrumbs").get_text(" ", strip=True)
    assert round_head == "Tianjiao Bay Cup › Preliminary"
    advance = round_page.find("dt", string="Advance").find_next("dd").get_text(strip=True)
    assert advance.startswith("Startup track:")
    assert "创意组:" in advance


def test_track_and_contest_forms_save_english_names(client, db, world) -> None:
    factories.login(client, world.organiser)
    base = f"/manage/contests/{world.contest.id}"

    added = client.post(
        f"{base}/tracks",
        data=factories.form(
            client, {"code": "health", "name": "健康组", "name_en": "Health track"}
        ),
    )
    edited = client.post(
        f"{base}/tracks/{world.creative.id}/edit",
        data=factories.form(client, {"name": "创意组", "name_en": "Creative track"}),
    )
    form = page_of(client.get(f"{base}/edit"))
    contest_values = {
        field["name"]: field.get("value", "") for field in form.select("form input[name]")
    }
    contest_values.update(name_en="Tianjiao Bay Cup", csrf_token=factories.csrf_token(client))
    contest_values["organisers"] = "\n".join(world.contest.organisers)
    saved = client.post(f"{base}/edit", data=contest_values)

    assert [r.url.path for r in (added, edited, saved)] == [base] * 3  # redirected: saved
    names = dict(db.execute(select(Track.code, Track.name_en).where(
        Track.contest_id == world.contest.id)).all())  # fmt: skip
    assert names == {"startup": "", "creative": "Creative track", "health": "Health track"}
    db.expire_all()
    assert db.get(Contest, world.contest.id).name_en == "Tianjiao Bay Cup"
    again = page_of(client.get(f"{base}/tracks/{world.creative.id}/edit"))
    assert again.select_one("input[name=name_en]")["value"] == "Creative track"


def test_criteria_english_names_stay_editable_after_scoring_starts(client, db, world) -> None:
    round_ = world.preliminary
    entry = factories.entry(db, world.contest, world.startup, rounds=(round_,))
    factories.sheet(db, round_, world.judges[0], entry, [250, 200, 150, 100, 50])
    db.commit()
    client.headers.update(factories.bearer(client, world.organiser))
    rubric = client.get(f"/api/v1/rounds/{round_.id}").json()["criteria"]
    same = [
        {k: c[k] for k in ("name", "description", "max_score", "tiebreak_priority")}
        for c in rubric
    ]

    renamed = client.patch(
        f"/api/v1/rounds/{round_.id}",
        json={"criteria": [{**c, "name_en": f"Criterion {n}"} for n, c in enumerate(same, 1)]},
    )
    changed = client.patch(
        f"/api/v1/rounds/{round_.id}",
        json={"criteria": [{**same[0], "max_score": same[0]["max_score"] + 1}, *same[1:]]},
    )

    assert renamed.status_code == 200, renamed.text
    assert [c["name_en"] for c in renamed.json()["criteria"]] == [
        f"Criterion {n}" for n in range(1, len(same) + 1)
    ]
    assert [c["id"] for c in renamed.json()["criteria"]] == [c["id"] for c in rubric]
    assert changed.status_code == 409
    stored = db.scalars(
        select(Criterion.name_en).where(Criterion.round_id == round_.id).order_by(
            Criterion.position)
    ).all()  # fmt: skip
    assert stored == [f"Criterion {n}" for n in range(1, len(same) + 1)]


def test_standard_setup_names_tracks_and_rounds_in_english_too(client, db, world) -> None:
    factories.login(client, world.organiser)

    client.post(
        "/manage/contests/new",
        data=factories.form(client, {"name": "新大赛", "year": "2025", "standard": "1"}),
    )

    contest = db.scalars(select(Contest).where(Contest.name == "新大赛")).one()
    tracks = db.execute(select(Track.name, Track.name_en).where(
        Track.contest_id == contest.id).order_by(Track.position)).all()  # fmt: skip
    rounds = db.scalars(select(Round.name_en).where(
        Round.contest_id == contest.id).order_by(Round.position)).all()  # fmt: skip
    assert [tuple(t) for t in tracks] == [("创业组", "Startup track"), ("创意组", "Creative track")]
    assert rounds == ["Preliminary", "Semifinal", "Final roadshow"]
