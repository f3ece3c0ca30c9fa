"""An organiser sets up a contest in Chromium: two tracks and a round with its rubric."""

import pytest
from sqlalchemy import select

from contest.core.enums import Role
from contest.models import Contest, Criterion, Round, Track
from tests import factories
from tests.factories import PASSWORD

WORDS = {
    "zh": {
        "create": "创建赛事",
        "add_track": "添加组别",
        "add_round": "添加赛段",
        "create_round": "创建赛段",
        "created": "赛段已创建。",
    },
    "en": {
        "create": "Create contest",
        "add_track": "Add track",
        "add_round": "Add round",
        "create_round": "Create round",
        "created": "Round created.",
    },
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_organiser_sets_up_a_contest(live_server, new_context, screenshot, db, lang):
    organiser = factories.user(db, Role.organiser, email=f"boss-{lang}@example.com")
    db.commit()
    words = WORDS[lang]
    page = new_context().new_page()
    page.goto(f"{live_server}/lang/{lang}")
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", organiser.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")

    page.goto(f"{live_server}/manage/contests/new")
    page.fill("input[name=name]", f"测试大赛 {lang}")
    page.fill("input[name=year]", "2024")
    page.fill("textarea[name=organisers]", "普陀区科委\n华东医学院")
    page.uncheck("input[name=standard]")  # set up by hand, not from the standard template
    screenshot(page, "1-new-contest")
    with page.expect_navigation():
        page.get_by_role("button", name=words["create"]).click()
    for code, name, company in (("startup", "创业组", True), ("creative", "创意组", False)):
        if not page.locator("details form[action$='/tracks']").is_visible():
            page.get_by_text(words["add_track"], exact=False).first.click()
        form = page.locator("details form[action$='/tracks']")
        form.locator("input[name=code]").fill(code)
        form.locator("input[name=name]").fill(name)
        if company:
            form.locator("input[name=requires_company]").check()
            form.locator("input[name=max_company_age_years]").fill("5")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert page.locator(".flash-success").count() == 1
    screenshot(page, "2-tracks")
    page.get_by_role("link", name=words["add_round"]).click()
    page.fill("input[name=name]", "初赛")
    page.fill("input[name=advance_startup]", "30")
    page.fill("input[name=advance_creative]", "20")
    page.fill("input[name=criterion_max_4]", "")
    page.fill("input[name=criterion_name_4]", "")
    page.fill("input[name=criterion_description_4]", "")
    page.fill("input[name=criterion_max_3]", "25")
    assert page.locator("#rubric-total").inner_text() == "100.0"
    screenshot(page, "3-round-form")
    with page.expect_navigation():
        page.get_by_role("button", name=words["create_round"]).click()

    assert page.locator(".flash-success").inner_text() == words["created"]
    screenshot(page, "4-round")
    contest = db.scalars(select(Contest).where(Contest.name == f"测试大赛 {lang}")).one()
    tracks = db.scalars(select(Track).where(Track.contest_id == contest.id)).all()
    assert sorted((t.code, t.requires_company, t.max_company_age_years) for t in tracks) == [
        ("creative", False, None),
        ("startup", True, 5),
    ]
    round_ = db.scalars(select(Round).where(Round.contest_id == contest.id)).one()
    assert round_.advance_count == {"startup": 30, "creative": 20}
    rubric = db.scalars(
        select(Criterion.max_tenths)
        .where(Criterion.round_id == round_.id)
        .order_by(Criterion.position)
    ).all()
    assert rubric == [300, 250, 200, 250]
