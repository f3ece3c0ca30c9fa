"""The contest's notices, queued from plain values: features call these, so each mail's
context is named and typed in one place.

Times are shown in the contest's zone, as on the pages; links are absolute
(`settings.base_url` + path) because a mail is read outside the site.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from contest.models import OutboxMail, User
from contest.notices.service import enqueue, site_time, site_url


def local_time(value: datetime, zone: str) -> str:
    return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def objection_decided(
    db: Session,
    *,
    to: str,
    name: str,
    language: str,
    contest_id: int,
    entry_title: str,
    decision: str,
    reason: str = "",
    link: str = "",
) -> OutboxMail:
    """Tell a team its objection (异议) was decided: `decision` is the decision's text in
    the team's language (e.g. "upheld"/"成立"), `reason` the committee's reasons."""
    return enqueue(
        db,
        to=to,
        kind="objection_decided",
        language=language,
        contest_id=contest_id,
        context={"name": name, "entry": entry_title, "decision": decision,
                 "reason": reason, "link": link},
    )


def entry_submitted(
    db: Session, *, owner: User, contest_id: int, entry_title: str, at: datetime
) -> OutboxMail:
    """Confirm to a team that its entry was received."""
    return enqueue(
        db,
        to=owner.email,
        kind="entry_submitted",
        language=owner.locale or "zh",
        contest_id=contest_id,
        context={"name": owner.name, "entry": entry_title, "submitted_at": site_time(at),
                 "link": site_url("/team")},
    )


@dataclass(frozen=True)
class Recipient:
    """Who hears about an entry: its team's account, else the leader it named."""

    email: str
    name: str
    language: str


def advancement(
    db: Session,
    *,
    to: Recipient,
    contest_id: int,
    entry_title: str,
    round_name: str,
    next_round_name: str,
    advanced: bool,
    feedback: str = "",
) -> OutboxMail:
    """Tell a team whether its entry advances, with the judges' comments if published."""
    return enqueue(
        db,
        to=to.email,
        kind="advancement_advanced" if advanced else "advancement_not_advanced",
        language=to.language,
        contest_id=contest_id,
        context={"name": to.name, "entry": entry_title, "round": round_name,
                 "next_round": next_round_name, "feedback": feedback,
                 "link": site_url("/team")},
    )


def award(
    db: Session, *, to: Recipient, contest_id: int, entry_title: str, award_name: str,
    certificate_path: str,
) -> OutboxMail:
    """Tell a winner its award, with the link to its certificate."""
    return enqueue(
        db,
        to=to.email,
        kind="award_published",
        language=to.language,
        contest_id=contest_id,
        context={"name": to.name, "entry": entry_title, "award": award_name,
                 "link": site_url(certificate_path)},
    )
