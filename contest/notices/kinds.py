"""Every kind of mail: its subject and paragraphs as English msgids, translated into the
recipient's language and filled from the mail's context (`%(name)s` placeholders).

A feature adds its own kinds with `register(MailKind(...))` at import; the built-in
notices of the contest's life are below.
"""

from dataclasses import dataclass, field

from contest.core.i18n import N_


@dataclass(frozen=True)
class MailKind:
    name: str
    subject: str
    paragraphs: tuple[str, ...]
    # A button in the HTML (a plain link in the text): its label, and the context key
    # holding the URL.
    action: tuple[str, str] | None = None
    # The mail holds a secret link (confirmation, password reset, invitation): the
    # outbox page hides its body from organisers.
    secret: bool = False
    # Paragraphs shown only when the context has a non-empty value for their key.
    optional: dict[str, str] = field(default_factory=dict)


_kinds: dict[str, MailKind] = {}


def register(kind: MailKind) -> MailKind:
    _kinds[kind.name] = kind
    return kind


def get(name: str) -> MailKind:
    try:
        return _kinds[name]
    except KeyError:
        raise ValueError(f"no mail kind {name!r} is registered") from None


def names() -> list[str]:
    return sorted(_kinds)


GREETING = N_("Dear %(name)s,")
SIGNATURE = N_("The organising committee of %(contest)s")
AUTOMATIC = N_("This mail was sent automatically by the Tianjiao contest platform.")

ENTRY_SUBMITTED = register(
    MailKind(
        name="entry_submitted",
        subject=N_("Your entry “%(entry)s” was submitted"),
        paragraphs=(
            N_("Your entry “%(entry)s” to %(contest)s was submitted on %(submitted_at)s."),
            N_("You can follow its status on the platform; you will be told when results are published."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Open my entry"), "link"),
    )
)
JUDGE_REMINDER = register(
    MailKind(
        name="judge_reminder",
        subject=N_("Reminder: %(open)s score sheets to finish in %(round)s"),
        paragraphs=(
            N_("You still have %(open)s unsubmitted score sheets in %(round)s of %(contest)s."),
        ),
        action=(N_("Open my reviews"), "link"),
        optional={
            "closes_at": N_("The round closes on %(closes_at)s. Please submit your scores before then."),  # noqa: E501
        },
    )
)
ADVANCED = register(
    MailKind(
        name="advancement_advanced",
        subject=N_("“%(entry)s” advances to %(next_round)s"),
        paragraphs=(
            N_("Congratulations: your entry “%(entry)s” advances from %(round)s to %(next_round)s of %(contest)s."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Open my entry"), "link"),
        optional={"feedback": N_("The judges' feedback: %(feedback)s")},
    )
)
NOT_ADVANCED = register(
    MailKind(
        name="advancement_not_advanced",
        subject=N_("Results of %(round)s for “%(entry)s”"),
        paragraphs=(
            N_("The results of %(round)s of %(contest)s are published. Your entry “%(entry)s” does not advance to the next round."),  # noqa: E501 (one msgid)
            N_("Thank you for taking part; we hope to see you again."),
        ),
        action=(N_("Open my entry"), "link"),
        optional={"feedback": N_("The judges' feedback: %(feedback)s")},
    )
)
AWARD = register(
    MailKind(
        name="award_published",
        subject=N_("“%(entry)s” wins the %(award)s"),
        paragraphs=(
            N_("Congratulations: your entry “%(entry)s” wins the %(award)s of %(contest)s."),
            N_("Your certificate can be downloaded and checked at the link below."),
        ),
        action=(N_("Download the certificate"), "link"),
    )
)
OBJECTION_DECIDED = register(
    MailKind(
        name="objection_decided",
        subject=N_("Your objection about “%(entry)s” was decided"),
        paragraphs=(
            N_("The organising committee of %(contest)s has decided your objection about “%(entry)s”: %(decision)s."),  # noqa: E501 (one msgid)
        ),
        action=(N_("Open the objection"), "link"),
        optional={"reason": N_("Reasons: %(reason)s")},
    )
)
TEST_MAIL = register(
    MailKind(
        name="test",
        subject=N_("Test mail from the Tianjiao contest platform"),
        paragraphs=(N_("If you can read this, the platform's mail settings work."),),
    )
)
