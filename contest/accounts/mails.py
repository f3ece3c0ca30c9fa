"""The account mails: confirm an address, "you already have an account", reset a
password, "your password was changed", invitations of judges and investors, a link an
organiser sends. Every kind here is `secret` (organisers never see its body on the
outbox page): links hold secrets, and an invitation must look the same on that page
whether the address already had an account (same subject, body hidden)."""

from sqlmodel import Session

from contest.core.i18n import N_
from contest.models import OutboxMail, User
from contest.notices.kinds import MailKind, register
from contest.notices.service import enqueue, site_url

CONFIRM = register(
    MailKind(
        name="account_confirm",
        subject=N_("Confirm your e-mail address"),
        paragraphs=(
            N_("An account for the Tianjiao contest platform was opened with the address %(email)s."),  # noqa: E501 (one msgid)
            N_("Open the link below to confirm that this address is yours; you can log in once it is confirmed. If you did not ask for an account, ignore this mail."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Confirm my address"), "link"),
        secret=True,
    )
)
EXISTS = register(
    MailKind(
        name="account_exists",
        subject=N_("You already have an account"),
        paragraphs=(
            N_("Someone tried to open an account for the Tianjiao contest platform with the address %(email)s, which already has one. Nothing was changed."),  # noqa: E501 (one msgid)
            N_("If it was you, log in with your password; if you forgot it, choose a new one with the link below. If it was not you, ignore this mail."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Choose a new password"), "link"),
        secret=True,
    )
)
RESET = register(
    MailKind(
        name="password_reset",
        subject=N_("Reset your password"),
        paragraphs=(
            N_("Someone asked to reset the password of the account %(email)s on the Tianjiao contest platform."),  # noqa: E501 (one msgid)
            N_("Open the link below within one hour to choose a new password; it works once. If you did not ask for it, ignore this mail: your password stays as it is."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Choose a new password"), "link"),
        secret=True,
    )
)
CHANGED = register(
    MailKind(
        name="password_changed",
        subject=N_("Your password was changed"),
        paragraphs=(
            N_("The password of the account %(email)s on the Tianjiao contest platform was changed on %(at)s, and every other session of the account was ended."),  # noqa: E501 (one msgid)
            N_("If you did not do this, choose a new password at once with the link below and tell the organising committee."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Choose a new password"), "link"),
        secret=True,
    )
)
JUDGE_SUBJECT = N_("You are invited to join the panel of judges")
INVITATION = register(
    MailKind(
        name="judge_invitation",
        subject=JUDGE_SUBJECT,
        paragraphs=(
            N_("%(organiser)s has added you to the panel of judges of %(contest)s."),
            N_("Open the link below within 7 days to set your password for the account %(email)s; then log in to see the entries you are asked to review."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Set my password"), "link"),
        secret=True,
    )
)
# The account already has a password (its own, or one set by a script): log in with it.
JUDGE_ADDED = register(
    MailKind(
        name="judge_added",
        subject=JUDGE_SUBJECT,
        paragraphs=(
            N_("%(organiser)s has added you to the panel of judges of %(contest)s."),
            N_("Log in with your account %(email)s to see the entries you are asked to review. If you do not know its password, choose a new one from the log-in page (\"Forgot your password?\")."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Log in"), "link"),
        secret=True,
    )
)
INVESTOR_SUBJECT = N_("You are invited as an investor guest")
INVESTOR_INVITATION = register(
    MailKind(
        name="investor_invitation",
        subject=INVESTOR_SUBJECT,
        paragraphs=(
            N_("%(organiser)s invites you as an investor guest of %(contest)s: you will see its finalists and winners and can mark the projects you want to follow."),  # noqa: E501 (one msgid)
            N_("Open the link below within 7 days to set your password for the account %(email)s; then log in."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Set my password"), "link"),
        secret=True,
    )
)
INVESTOR_ADDED = register(
    MailKind(
        name="investor_added",
        subject=INVESTOR_SUBJECT,
        paragraphs=(
            N_("%(organiser)s invites you as an investor guest of %(contest)s: you will see its finalists and winners and can mark the projects you want to follow."),  # noqa: E501 (one msgid)
            N_("Log in with your account %(email)s. If you do not know its password, choose a new one from the log-in page (\"Forgot your password?\")."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Log in"), "link"),
        secret=True,
    )
)
# One subject for both links an organiser sends: the outbox page shows subjects, and
# which link went out would tell whether the account's owner ever set a password.
LINK_SUBJECT = N_("Your link to choose a password")
ORGANISER_RESET = register(
    MailKind(
        name="password_reset_by_organiser",
        subject=LINK_SUBJECT,
        paragraphs=(
            N_("The organising committee of %(contest)s sent you a link to choose a new password for the account %(email)s on the Tianjiao contest platform."),  # noqa: E501 (one msgid)
            N_("Open the link below within one hour; it works once. If you do not need it, ignore this mail: your password stays as it is."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Choose a new password"), "link"),
        secret=True,
    )
)
ORGANISER_INVITE_AGAIN = register(
    MailKind(
        name="invitation_again",
        subject=LINK_SUBJECT,
        paragraphs=(
            N_("The organising committee of %(contest)s sent you a new link to set the password of the account %(email)s on the Tianjiao contest platform."),  # noqa: E501 (one msgid)
            N_("Open the link below within 7 days; it works once, and the links sent before it no longer do."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Set my password"), "link"),
        secret=True,
    )
)

def _language(user: User) -> str:
    return user.locale or "zh"


def confirm(db: Session, user: User, token: str) -> OutboxMail:
    return enqueue(
        db, to=user.email, kind=CONFIRM.name, language=_language(user),
        context={"name": user.name, "email": user.email, "link": site_url(f"/confirm/{token}")},
    )


def exists(db: Session, user: User, token: str) -> OutboxMail:
    return enqueue(
        db, to=user.email, kind=EXISTS.name, language=_language(user),
        context={"name": user.name, "email": user.email, "link": site_url(f"/reset/{token}")},
    )


def reset(db: Session, user: User, token: str) -> OutboxMail:
    return enqueue(
        db, to=user.email, kind=RESET.name, language=_language(user),
        context={"name": user.name, "email": user.email, "link": site_url(f"/reset/{token}")},
    )


def changed(db: Session, user: User, at: str) -> OutboxMail:
    return enqueue(
        db, to=user.email, kind=CHANGED.name, language=_language(user),
        context={"name": user.name, "email": user.email, "at": at,
                 "link": site_url("/forgot")},
    )


def invitation(
    db: Session,
    user: User,
    token: str | None,
    *,
    contest_id: int,
    organiser: str,
    guest: str = "judge",
) -> OutboxMail:
    """A judge's or an investor's invitation (`guest`): with a set-password link for a
    new account (`token`), else a log-in link (the account has its password)."""
    kinds = {
        ("judge", True): INVITATION, ("judge", False): JUDGE_ADDED,
        ("investor", True): INVESTOR_INVITATION, ("investor", False): INVESTOR_ADDED,
    }
    kind = kinds[(guest, token is not None)]
    link = site_url(f"/reset/{token}") if token is not None else site_url("/login")
    return enqueue(
        db, to=user.email, kind=kind.name, language=_language(user), contest_id=contest_id,
        context={"name": user.name, "email": user.email, "organiser": organiser, "link": link},
    )


def organiser_link(
    db: Session, user: User, token: str, *, purpose: str, contest_id: int
) -> OutboxMail:
    """A link an organiser sent: a reset (1 hour) or, for an account whose invitation was
    never used, a new invitation link (7 days)."""
    kind = ORGANISER_INVITE_AGAIN if purpose == "invite" else ORGANISER_RESET
    return enqueue(
        db, to=user.email, kind=kind.name, language=_language(user), contest_id=contest_id,
        context={"name": user.name, "email": user.email, "link": site_url(f"/reset/{token}")},
    )
