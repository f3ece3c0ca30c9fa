"""Every form that changes results or notifies people asks first (issue 21, item 3).

The pages of a contest are walked in the states that show their forms (a round being
scored, a closed round to decide, a published list with an objection, a drawn final,
awards to publish and certificates to revoke), as the organiser, a judge and a team.
Every POST form found must be listed here: CONFIRMED (it must carry `data-confirm`,
which static/app.js turns into a confirmation) or UNCONFIRMED (with why it needs none).
A new form that is in neither list fails the test, so each new action gets a decision.
"""

import re
from collections.abc import Callable
from datetime import timedelta

from bs4 import BeautifulSoup, Tag

from contest.models import utcnow
from tests import factories
from tests.app_client import TestClient
from tests.awards_setup import arrange_ranked

ROUND = r"/manage/rounds/\d+"
CONTEST = r"/manage/contests/\d+"


def always(form: Tag) -> bool:
    return True


def with_reason(form: Tag) -> bool:
    """An exceptional repeat of a step (reopen a closed round, redraw) asks for a reason."""
    return form.find(attrs={"name": "reason"}) is not None


def live_override(form: Tag) -> bool:
    """On the live console: finishing, and the steps kept apart as overrides."""
    return form.get("data-step") == "finish" or form.get("data-role") == "override"


# The actions that change results or tell people something, and when a form asks.
CONFIRMED: dict[str, Callable[[Tag], bool]] = {
    rf"{ROUND}/advancement": always,  # confirm who advances
    rf"{ROUND}/advancement/publish": always,  # teams learn whether they advanced
    rf"{ROUND}/feedback/publish": always,  # teams read the judges' comments
    rf"{CONTEST}/awards/publish": always,  # awards locked, certificates issued
    rf"{CONTEST}/certificates/revoke": always,
    rf"{ROUND}/close": always,  # judges can no longer save
    rf"{ROUND}/open": with_reason,  # reopening a closed round
    rf"{ROUND}/sheets/reopen": always,  # a submitted score stops counting
    rf"{ROUND}/reminders": always,  # e-mails to the judges
    rf"{ROUND}/assignments/auto": always,
    rf"{ROUND}/assignments/remove": always,
    rf"{ROUND}/live": live_override,  # finish; reveal without missing judges
    rf"{ROUND}/live/draw": with_reason,  # a redraw
    r"/manage/entries/\d+/withdraw": always,
    r"/team/entries/\d+/withdraw": always,
    rf"{CONTEST}/entries/bulk": always,  # withdraw / add to a round (export: see below)
    r"/manage/judges/\d+/deactivate": always,  # unsubmitted work goes to others
    r"/manage/judges/\d+/remove": always,
    r"/manage/judges/\d+/password-reset": always,  # mails the judge
    r"/judge/rounds/\d+/entries/\d+/recuse": always,
    rf"{CONTEST}/status": always,  # what teams and judges may do changes
    rf"{CONTEST}/copy": always,
    r"/manage/publications/\d+/withdraw": always,  # a 公示 taken down
    r"/manage/objections/\d+/decide": always,  # the team is told; results may change
}

# Forms that need no question, and why.
UNCONFIRMED: dict[str, str] = {
    r"/logout": "nothing is lost",
    r"/account/sessions/end": "the person's own sessions",
    rf"{CONTEST}/edit": "settings, shown again at once",
    rf"{CONTEST}/tracks": "set-up",
    rf"{CONTEST}/tracks/\d+/edit": "set-up",
    rf"{CONTEST}/rounds/new": "set-up",
    rf"{ROUND}/edit": "set-up; frozen once results are published",
    rf"{CONTEST}/judges": "adds a judge",
    rf"{CONTEST}/judges/import": "adds judges",
    rf"{CONTEST}/conflicts": "records a conflict",
    r"/manage/judges/\d+": "edits a judge's details",
    r"/manage/judges/\d+/reactivate": "gives a judge back their place",
    rf"{ROUND}/assignments/add": "adds one judge to one entry",
    rf"{ROUND}/conflicts/exceptions": "set-up of conflicts",
    rf"{ROUND}/conflicts/families": "set-up of conflicts",
    rf"{CONTEST}/entries/import": "previewed and checked before anything is stored",
    r"/manage/entries/\d+/edit": "an entry's details",
    r"/manage/entries/\d+/documents": "an upload",
    rf"{CONTEST}/awards": "a draft: nothing is shown before publication",
    rf"{CONTEST}/certificates/prepare": "prepares a download",
    rf"{CONTEST}/exports/workbook": "prepares a download",
    r"/judge/rounds/\d+/entries/\d+": "the sheet: submitting asks in its own dialog",
    r"/team/entries/\d+/edit": "the team's own entry",
    r"/team/entries/\d+/documents": "an upload",
    r"/team/contests/\d+/objections": "the team files its objection",
    r"/team/objections/\d+/documents": "an upload",
}


def post_forms(html: str) -> list[Tag]:
    page = BeautifulSoup(html, "html.parser")
    return [f for f in page.find_all("form") if (f.get("method") or "").lower() == "post"]


def asks(form: Tag) -> bool:
    """The form asks itself, or every submit button asks its own question."""
    if form.get("data-confirm"):
        return True
    buttons = [b for b in form.find_all("button") if (b.get("type") or "submit") == "submit"]
    return bool(buttons) and all(b.get("data-confirm") for b in buttons)


def rule_for(action: str) -> tuple[str, Callable[[Tag], bool] | None]:
    for pattern, rule in CONFIRMED.items():
        if re.fullmatch(pattern, action):
            return pattern, rule
    for pattern in UNCONFIRMED:
        if re.fullmatch(pattern, action):
            return pattern, None
    return "", None


class Walk:
    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.asked: set[str] = set()
        self.problems: list[str] = []

    def visit(self, client: TestClient, url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        for form in post_forms(response.text):
            action = (form.get("action") or url).split("?")[0]
            pattern, rule = rule_for(action)
            if not pattern:
                self.problems.append(f"{url}: form to {action} is in neither list")
                continue
            self.seen.add(pattern)
            if rule is None or not rule(form):
                continue
            self.asked.add(pattern)
            if not asks(form):
                self.problems.append(f"{url}: form to {action} does not ask for confirmation")


def test_every_form_that_changes_results_or_notifies_asks_first(
    client, make_client, db, world
) -> None:
    walk = Walk()
    contest, prelim, final = world.contest, world.preliminary, world.final
    judge = world.judges[0]
    # The preliminary being scored: one sheet in, one to do; a team's own entry.
    mine = factories.entry(db, contest, world.startup, owner=world.team, title="我们的项目",
                           rounds=(prelim,))
    other = factories.entry(db, contest, world.creative, title="另一个项目", rounds=(prelim,))
    factories.assign(db, prelim, judge, mine)
    factories.assign(db, prelim, judge, other)
    factories.sheet(db, prelim, judge, mine, [250, 200, 150, 100, 80], comment="很好")
    db.commit()

    organiser = factories.login(client, world.organiser)
    headers = factories.bearer(make_client(), world.organiser)
    for url in (
        f"/manage/contests/{contest.id}",
        f"/manage/contests/{contest.id}/edit",
        f"/manage/contests/{contest.id}/entries",
        f"/manage/entries/{other.id}",
        f"/manage/contests/{contest.id}/judges",
        f"/manage/judges/{judge.id}",
        f"/manage/judges/{world.judges[1].id}",  # no work yet: may be removed
        f"/manage/rounds/{prelim.id}",
        f"/manage/rounds/{prelim.id}/progress",
        f"/manage/rounds/{prelim.id}/assignments",
        f"/manage/rounds/{prelim.id}/conflicts",
    ):
        walk.visit(organiser, url)
    walk.visit(factories.login(make_client(), world.judge_users[0]),
               f"/judge/rounds/{prelim.id}/entries/{other.id}")
    team = factories.login(make_client(), world.team)
    walk.visit(team, "/team")

    # The preliminary closed: reopen with a reason, decide who advances, publish.
    prelim.closes_at = utcnow() - timedelta(minutes=1)
    db.add(prelim)
    db.commit()
    walk.visit(organiser, f"/manage/rounds/{prelim.id}")
    walk.visit(organiser, f"/manage/rounds/{prelim.id}/advancement")
    response = organiser.post(f"/api/v1/rounds/{prelim.id}/advancement",
                              json={"entry_ids": [mine.id]}, headers=headers)
    assert response.status_code == 200, response.text
    walk.visit(organiser, f"/manage/rounds/{prelim.id}/advancement")
    response = organiser.post(
        f"/manage/rounds/{prelim.id}/advancement/publish", data=factories.form(organiser),
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    publications = organiser.get(f"/api/v1/contests/{contest.id}/publications",
                                 headers=headers).json()
    response = team.post(
        f"/api/v1/contests/{contest.id}/objections",
        json={"publication_id": publications[0]["id"], "entry_id": mine.id, "reason": "分数有误"},
        headers={"X-CSRF-Token": factories.csrf_token(team)},
    )
    assert response.status_code == 201, response.text
    walk.visit(organiser, f"/manage/contests/{contest.id}/publications")

    # The final: drawn, then scored and closed; awards to publish, certificates to revoke.
    ranked = arrange_ranked(db, world, startup=(290, 280, 270), creative=(285, 275),
                            closed=False)
    walk.visit(organiser, f"/manage/rounds/{final.id}/live")
    response = organiser.post(f"/api/v1/rounds/{final.id}/draw", json={"seed": 7},
                              headers=headers)
    assert response.status_code == 200, response.text
    walk.visit(organiser, f"/manage/rounds/{final.id}/live")
    final.closes_at = utcnow() - timedelta(minutes=1)
    db.add(final)
    db.commit()
    response = organiser.post(
        ranked.url, json={"scope": "per_track", "tiers": [{"tier": "gold", "count": 1}]},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    walk.visit(organiser, f"/manage/contests/{contest.id}/awards")
    response = organiser.post(f"{ranked.url}/publish", headers=headers)
    assert response.status_code == 200, response.text
    walk.visit(organiser, f"/manage/contests/{contest.id}/certificates")

    assert walk.problems == [], "\n".join(walk.problems)
    assert walk.asked == set(CONFIRMED), "every listed action was seen asking"


def test_the_bulk_form_asks_only_for_changes(client, db, world) -> None:
    """The entry list's one bulk form asks before withdrawing or adding to a round; its
    question is switched off for an export by static/entries.js (tests/browser)."""
    factories.entry(db, world.contest, world.startup, rounds=(world.preliminary,))
    db.commit()
    factories.login(client, world.organiser)

    [form] = [f for f in post_forms(client.get(f"/manage/contests/{world.contest.id}/entries")
                                    .text) if f.get("id") == "bulk-form"]

    assert form.get("data-confirm")
    assert form.get("data-confirm") == form.get("data-confirm-change")
