"""A meeting request between a team and an investor who marked it, made by the organiser
in one click from the leads page (issue 22, item 3).

With mail configured (contest/notices, `TIANJIAO_SMTP_URL`), the request is queued in the
outbox: one mail to the investor and, when the team agreed to be contacted, one to the
team's leader, each naming the other side and how to reach them. Without mail, the same
request is a `mailto:` link addressed to the investor with the team's leader in copy
(only with the team's consent), which the organiser's own mail program sends. It is
audited either way (`meeting.request`, with how it went out).
"""

from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import select
from sqlmodel import Session, col

from contest.core import audit
from contest.core.errors import NotFound
from contest.core.i18n import N_, _
from contest.investors import consent
from contest.models import Contest, Entry, Interest, Investor, User
from contest.notices import service as notices
from contest.notices.kinds import MailKind, register

TO_INVESTOR = register(
    MailKind(
        name="meeting_request_investor",
        subject=N_("Meeting request: %(title)s"),
        paragraphs=(
            N_("You marked “%(title)s” at %(contest)s. The organisers put %(organisation)s in touch with the team: please agree on a time directly."),  # noqa: E501 (one msgid)
        ),
        optional={
            "team_contact": N_("The team's contact: %(team_contact)s."),
            "no_contact": N_("The team has not yet agreed to be contacted by investors: the organisers will pass your request on."),  # noqa: E501 (one msgid)
        },
    )
)
TO_TEAM = register(
    MailKind(
        name="meeting_request_team",
        subject=N_("An investor would like to meet you: %(title)s"),
        paragraphs=(
            N_("%(organisation)s would like to meet the team of “%(title)s” after %(contest)s. The organisers put you in touch: please agree on a time directly."),  # noqa: E501 (one msgid)
            N_("Contact: %(investor_contact)s."),
        ),
    )
)


@dataclass(frozen=True, slots=True)
class MeetingRequest:
    to: list[str]
    subject: str
    body: str
    queued: int = 0  # mails put in the outbox (0 without mail: use the mailto link)

    @property
    def mailto(self) -> str:
        recipients = ",".join(quote(a, safe="@") for a in self.to[:1])
        copies = ",".join(quote(a, safe="@") for a in self.to[1:])
        query = f"subject={quote(self.subject)}&body={quote(self.body)}"
        return f"mailto:{recipients}?" + (f"cc={copies}&" if copies else "") + query


def _mark(
    db: Session, contest_id: int, investor_id: int, entry_id: int
) -> tuple[Interest, Investor, User, Entry]:
    row = db.execute(
        select(Interest, Investor, User, Entry)
        .join(Investor, col(Investor.id) == Interest.investor_id)
        .join(User, col(User.id) == Investor.user_id)
        .join(Entry, col(Entry.id) == Interest.entry_id)
        .where(
            col(Investor.contest_id) == contest_id,
            col(Investor.id) == investor_id,
            col(Interest.entry_id) == entry_id,
        )
    ).first()
    if row is None:
        raise NotFound()
    return row[0], row[1], row[2], row[3]


def compose(
    contest: Contest, seat: Investor, investor: User, entry: Entry, *, contact: bool
) -> MeetingRequest:
    """The request; the team's leader is in copy only if the team agreed to be contacted."""
    to = [investor.email] + ([entry.leader_email] if entry.leader_email and contact else [])
    subject = _("Meeting request: %(title)s (%(contest)s)") % {
        "title": entry.title,
        "contest": contest.name,
    }
    body = _(
        "Dear %(investor)s, dear %(leader)s,\n\n%(organisation)s would like to meet the team "
        'of "%(title)s" after %(contest)s. The organisers put you in touch: please agree '
        "on a time directly.\n"
    ) % {
        "investor": investor.name,
        "leader": entry.leader_name,
        "organisation": seat.organisation,
        "title": entry.title,
        "contest": contest.name,
    }
    return MeetingRequest(to, subject, body)


def _queue(
    db: Session, contest: Contest, seat: Investor, investor: User, entry: Entry, *, contact: bool
) -> int:
    """Put the request's mails in the outbox; how many."""
    team_contact = f"{entry.leader_name} <{entry.leader_email}>" if contact else ""
    notices.enqueue(
        db,
        to=investor.email,
        kind=TO_INVESTOR.name,
        language=investor.locale or "zh",
        contest_id=contest.id,
        context={
            "name": investor.name,
            "title": entry.title,
            "organisation": seat.organisation,
            "team_contact": team_contact,
            "no_contact": "" if contact else "1",
        },
    )
    if not (contact and entry.leader_email):
        return 1
    notices.enqueue(
        db,
        to=entry.leader_email,
        kind=TO_TEAM.name,
        contest_id=contest.id,
        context={
            "name": entry.leader_name,
            "title": entry.title,
            "organisation": seat.organisation,
            "investor_contact": f"{investor.name} <{investor.email}>",
        },
    )
    return 2


def request_meeting(
    db: Session,
    *,
    actor: User,
    contest: Contest,
    investor_id: int,
    entry_id: int,
    send: bool = False,
) -> MeetingRequest:
    """The meeting request for an existing mark (404 otherwise), queued as mails when
    ``send`` (mail is configured); audited."""
    _mark_row, seat, investor, entry = _mark(db, contest.id, investor_id, entry_id)
    contact = consent.of(db, entry.id).contact
    made = compose(contest, seat, investor, entry, contact=contact)
    queued = _queue(db, contest, seat, investor, entry, contact=contact) if send else 0
    audit.record(
        db,
        actor=actor,
        action="meeting.request",
        object_type="investors",
        object_id=seat.id,
        contest_id=contest.id,
        after={
            "investor_id": seat.id,
            "entry_id": entry.id,
            "to": made.to,
            "by": "outbox" if send else "mailto",
        },
    )
    return MeetingRequest(made.to, made.subject, made.body, queued)
