"""Every page type of the site, with the demo contest loaded: who opens it and where.

Shared by the accessibility check (axe-core) and the phone-width check. The demo
(contest/demo) is the 2023 contest taken through every stage, so each page has real
content: entries, sheets, a finished live final, published awards and certificates.
"""

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core.enums import ContestStatus, RoundKind
from contest.demo import service as demo
from contest.live import presence
from contest.models import (
    Assignment,
    Certificate,
    Contest,
    Entry,
    Judge,
    Round,
    Track,
    User,
)

PASSWORD = demo.PASSWORD


@dataclass(frozen=True)
class SitePage:
    who: str  # "public", "team", "judge", "organiser" or "investor"
    kind: str  # the page type, for messages
    url: str
    # Shown only while teams may register: visited last, after open_registration().
    needs_registration: bool = False


def load_demo(database, settings) -> demo.Logins:  # type: ignore[no-untyped-def]
    return demo.load(database, settings)


def site_pages(db: Session, logins: demo.Logins, secret_key: str) -> list[SitePage]:
    contest = db.get(Contest, logins.contest_id)
    assert contest is not None
    c = contest.id
    rounds = {
        r.kind: r for r in db.scalars(select(Round).where(col(Round.contest_id) == c))
    }
    prelim, final = rounds[RoundKind.preliminary], rounds[RoundKind.final]
    team_user = db.scalars(select(User).where(col(User.email) == logins.team)).one()
    team_entry = db.scalars(select(Entry).where(col(Entry.owner_id) == team_user.id)).first()
    assert team_entry is not None
    judge_user = db.scalars(select(User).where(col(User.email) == logins.judge)).one()
    judge = db.scalars(
        select(Judge).where(col(Judge.user_id) == judge_user.id, col(Judge.contest_id) == c)
    ).one()
    judged = db.scalars(
        select(Assignment.entry_id).where(
            col(Assignment.judge_id) == judge.id, col(Assignment.round_id) == prelim.id
        )
    ).first()
    track = db.scalars(select(Track).where(col(Track.contest_id) == c)).first()
    certificate = db.scalars(select(Certificate.code)).first()
    assert judged is not None
    assert track is not None
    assert certificate is not None
    screen = presence.screen_pass(secret_key, final.id)
    m = f"/manage/contests/{c}"
    r, f = f"/manage/rounds/{prelim.id}", f"/manage/rounds/{final.id}"
    pages = [
        SitePage("public", "home", "/"),
        SitePage("public", "log-in", "/login"),
        SitePage("public", "registration", "/register"),
        SitePage("public", "forgotten password", "/forgot"),
        SitePage("public", "verification form", "/verify"),
        SitePage("public", "verified certificate", f"/verify/{certificate}"),
        SitePage("public", "public results", f"/results/{c}"),
        SitePage("public", "live (audience)", f"/live/{final.id}"),
        SitePage("public", "big screen", f"/live/{final.id}?screen={screen}"),
        SitePage("team", "team dashboard", "/team"),
        SitePage("team", "objections", f"/team/contests/{c}/objections"),
        SitePage("team", "investor consent", f"/team/entries/{team_entry.id}/investors"),
        SitePage("team", "account", "/account"),
        SitePage("judge", "judge queue", "/judge"),
        SitePage("judge", "score sheet", f"/judge/rounds/{prelim.id}/entries/{judged}"),
        SitePage("judge", "live scoring", f"/judge/rounds/{final.id}/live"),
        SitePage("judge", "declarations", f"/judge/contests/{c}/declarations"),
        SitePage("organiser", "my contests", "/manage"),
        SitePage("organiser", "new contest", "/manage/contests/new"),
        SitePage("organiser", "contest overview", m),
        SitePage("organiser", "contest settings", f"{m}/edit"),
        SitePage("organiser", "track", f"{m}/tracks/{track.id}/edit"),
        SitePage("organiser", "new round", f"{m}/rounds/new"),
        SitePage("organiser", "judges", f"{m}/judges"),
        SitePage("organiser", "judge", f"/manage/judges/{judge.id}"),
        SitePage("organiser", "entries", f"{m}/entries"),
        SitePage("organiser", "entry", f"/manage/entries/{team_entry.id}"),
        SitePage("organiser", "entry edit", f"/manage/entries/{team_entry.id}/edit"),
        SitePage("organiser", "new entry", f"{m}/entries/new"),
        SitePage("organiser", "import", f"{m}/entries/import"),
        SitePage("organiser", "round", r),
        SitePage("organiser", "round settings", f"{r}/edit"),
        SitePage("organiser", "assignments", f"{r}/assignments"),
        SitePage("organiser", "conflicts", f"{r}/conflicts"),
        SitePage("organiser", "progress", f"{r}/progress"),
        SitePage("organiser", "results", f"{r}/results"),
        SitePage("organiser", "advancement", f"{r}/advancement"),
        SitePage("organiser", "fairness", f"{r}/fairness"),
        SitePage("organiser", "live console", f"{f}/live"),
        SitePage("organiser", "pre-flight", f"{f}/live/preflight"),
        SitePage("organiser", "awards", f"{m}/awards"),
        SitePage("organiser", "certificates", f"{m}/certificates"),
        SitePage("organiser", "publications", f"{m}/publications"),
        SitePage("organiser", "exports", f"{m}/exports"),
        SitePage("organiser", "outbox", f"{m}/outbox"),
        SitePage("organiser", "audit log", f"{m}/audit"),
        SitePage("organiser", "investors", f"{m}/investors"),
        SitePage("organiser", "follow-up", f"{m}/follow-up"),
        SitePage("investor", "investor home", "/invest"),
        SitePage("investor", "showcase", f"/invest/contests/{c}"),
        SitePage("team", "entry form", f"/team/entries/{team_entry.id}/edit", True),
        # No "new entry" form: the demo's rounds have opened, so the contest takes no new
        # entry from teams (sealed rounds); tests/browser/test_team_entry.py drives it.
    ]
    return pages


def open_registration(db: Session, contest_id: int) -> None:
    """Let teams register and edit again (the demo's contest is finished)."""
    contest = db.get(Contest, contest_id)
    assert contest is not None
    contest.status = ContestStatus.open
    contest.registration_opens_at = None
    contest.registration_closes_at = None
    contest.max_entries_per_team = 5
    db.add(contest)
    db.commit()


def emails(logins: demo.Logins) -> dict[str, str]:
    return {
        "team": logins.team,
        "judge": logins.judge,
        "organiser": logins.organiser,
        "investor": logins.investor,
    }


def log_in(page, base: str, email: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, f"{email} could not log in"
