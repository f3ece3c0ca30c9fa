"""Accounts: creating them, logging in with throttling, sessions and API tokens, and the
life cycle by mail (confirm an address, reset or change a password)."""

from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from contest.accounts import links, mails, throttle
from contest.accounts.passwords import password_problem
from contest.consent import service as consent
from contest.core import audit, phones, sessions
from contest.core.enums import Role
from contest.core.errors import FieldError, InvalidInput, TooManyAttempts
from contest.core.i18n import _
from contest.core.security import hash_password, new_token, throttle_key, verify_password
from contest.core.validation import email_problem, normalise_email
from contest.models import AccountToken, LoginFailure, User, utcnow
from contest.notices.service import site_time

MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=5)
TOKEN_LIFETIME = timedelta(days=30)
# Where each role lands after logging in.
ROLE_HOMES = {"organiser": "/manage", "judge": "/judge", "team": "/team", "investor": "/invest"}


class LoginFailed(Exception):
    """Wrong e-mail or password; deliberately does not say which."""


class NotConfirmed(Exception):
    """The right password for an account whose address is not confirmed yet."""


def user_by_email(db: Session, email: str) -> User | None:
    return db.scalars(select(User).where(col(User.email) == normalise_email(email))).first()


def account_problems(
    db: Session, *, email: str, password: str, name: str, unique: bool = True
) -> list[tuple[str, str]]:
    """(field, message) for each bad field of a new account. `unique=False` leaves out
    "this address has an account", for registration that must not say so."""
    errors = []
    problem = email_problem(email)
    if problem is not None:
        errors.append(("email", problem))
    elif unique and user_by_email(db, email) is not None:
        errors.append(("email", _("An account with this e-mail address already exists.")))
    problem = password_problem(password, email)
    if problem is not None:
        errors.append(("password", problem))
    if not name.strip():
        errors.append(("name", _("Enter a name.")))
    return errors


def check_new_account(
    db: Session, *, email: str, password: str, name: str, unique: bool = True
) -> None:
    """Field-level checks for a new account; raises InvalidInput naming every bad field."""
    errors = account_problems(db, email=email, password=password, name=name, unique=unique)
    if errors:
        raise InvalidInput(FieldError((field,), message) for field, message in errors)


def check_registration(
    db: Session,
    *,
    email: str,
    password: str,
    name: str,
    privacy_consent: bool | None,
    consent_required: bool,
    unique: bool,
) -> bool:
    """A team's sign-up: every bad field at once, the privacy consent among them
    (contest/consent); returns whether the site's notice was agreed to."""
    errors = [
        FieldError((field,), message)
        for field, message in account_problems(
            db, email=email, password=password, name=name, unique=unique
        )
    ]
    try:
        agreed = consent.require(privacy_consent, required=consent_required)
    except InvalidInput as exc:
        errors.extend(exc.errors)
        agreed = False
    if errors:
        raise InvalidInput(errors)
    return agreed


def check_password(password: str, email: str, field: str = "password") -> None:
    problem = password_problem(password, email)
    if problem is not None:
        raise InvalidInput.single(field, problem)


def create_user(
    db: Session,
    *,
    role: Role,
    email: str,
    password: str,
    name: str,
    institution: str = "",
    phone: str = "",
    awaiting_confirmation: bool = False,
) -> User:
    check_new_account(db, email=email, password=password, name=name)
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        password_hash=hash_password(password),
        institution=institution.strip(),
        phone=phones.normalise(phone),
        awaiting_confirmation=awaiting_confirmation,
    )
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, *, email: str, password: str, client: str) -> User:
    """The user for these credentials, or LoginFailed; throttled per (account, client)."""
    key = throttle_key(email, client)
    now = utcnow()
    failures = db.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(col(LoginFailure.key) == key, col(LoginFailure.at) > now - FAILURE_WINDOW)
    )
    if (failures or 0) >= MAX_FAILURES:
        # The same answer whether or not the account exists: throttling reveals nothing.
        raise TooManyAttempts(
            _("Too many failed log-ins. Wait 5 minutes and try again."),
            retry_after=int(FAILURE_WINDOW.total_seconds()),
        )
    user = user_by_email(db, email)
    if not verify_password(password, user.password_hash if user else None) or not (
        user and user.is_active
    ):
        db.execute(delete(LoginFailure).where(col(LoginFailure.at) < now - FAILURE_WINDOW))
        db.add(LoginFailure(key=key, at=now))
        raise LoginFailed()
    if user.awaiting_confirmation:
        raise NotConfirmed()
    user.last_login_at = now
    return user


def register_team(
    db: Session, *, email: str, password: str, name: str, consented: bool = False
) -> User:
    """A team account made by its owner, usable at once (no mail configured), with the
    site's privacy notice agreed to now if `consented`."""
    user = create_user(db, role=Role.team, email=email, password=password, name=name)
    if consented:
        consent.record_for_user(user)
    return user


def create_invited(
    db: Session, *, role: Role, email: str, name: str, institution: str = ""
) -> tuple[User, str]:
    """An account whose owner sets the password from a mailed link (7 days): until then
    it has a random one that nobody knows (no organiser ever sees or chooses it). Returns
    the account and the link's secret."""
    user = create_user(
        db, role=role, email=email, password=new_token(), name=name, institution=institution
    )
    return user, links.issue(db, user, "invite")


def as_slow_as_a_new_account() -> None:
    """Spend the time creating an account costs (one password hash), where an existing
    account is used instead: the answer's delay must not tell which happened."""
    hash_password(new_token())


def invitation_pending(db: Session, user: User) -> bool:
    """Whether the account was invited and its owner has not set a password yet (setting
    one from any link deletes every link of the account, the invitation's too)."""
    return bool(
        db.scalar(
            select(func.count())
            .select_from(AccountToken)
            .where(col(AccountToken.user_id) == user.id, col(AccountToken.purpose) == "invite")
        )
    )


def send_link_for(db: Session, *, actor: User, user: User, contest_id: int, about: str) -> str:
    """An organiser sends the holder of a judge's, investor's or team's account a link to
    choose a new password: a reset link (1 hour), or a new invitation link (7 days) when
    the account's invitation was never used. Throttled (5 per account and 20 in all per
    organiser in 15 minutes: TooManyAttempts), audited; the organiser never sees the
    link, nor which of the two went out (its answer, the audit record and the outbox
    page look the same), since that would say whether the account existed before it was
    put on the panel. Returns the link's purpose."""
    throttle.check(db, "organiser-link", str(user.id), f"organiser:{actor.id}")
    purpose = "invite" if invitation_pending(db, user) else "reset"
    token = links.issue(db, user, purpose)
    mails.organiser_link(db, user, token, purpose=purpose, contest_id=contest_id)
    audit.record(
        db,
        actor=actor,
        action="account.send_link",
        object_type="user",
        object_id=user.id,
        contest_id=contest_id,
        after={"email": user.email, "about": about},
    )
    return purpose


def link_sent_message(mail_configured: bool) -> str:
    if mail_configured:
        return _("A link to choose a password is on its way to the account's address.")
    return _("No mail server is configured: the mail with the link waits in the outbox and the server log.")  # noqa: E501 (one msgid)


def register_by_mail(
    db: Session, *, email: str, password: str, name: str, consented: bool = False
) -> None:
    """Registration with mail configured: the same outcome whatever the address. A new
    one gets an account awaiting confirmation and a confirmation link; one that has an
    account gets a mail saying so (with a link to choose a new password), and nothing of
    the account changes."""
    check_new_account(db, email=email, password=password, name=name, unique=False)
    existing = user_by_email(db, email)
    if existing is not None:
        hash_password(password)  # the time a new account costs: the answer's delay says nothing
        mails.exists(db, existing, links.issue(db, existing, "reset"))
        return
    user = create_user(
        db, role=Role.team, email=email, password=password, name=name, awaiting_confirmation=True
    )
    if consented:
        consent.record_for_user(user)
    mails.confirm(db, user, links.issue(db, user, "confirm"))


def invalid_link() -> InvalidInput:
    return InvalidInput.single(
        "token", _("This link is invalid, was already used or has expired."), "token_invalid"
    )


def confirm_address(db: Session, token: str) -> User:
    """Confirm the address of the account the link was sent to; it can log in now."""
    user = links.holder(db, token, ("confirm",))
    if user is None or not links.use(db, token):
        raise invalid_link()
    user.awaiting_confirmation = False
    db.add(user)
    return user


def request_reset(db: Session, email: str) -> None:
    """Mail a reset link if the address has an active account; otherwise nothing (the
    caller answers the same either way)."""
    user = user_by_email(db, email) if email_problem(email) is None else None
    if user is not None and user.is_active:
        mails.reset(db, user, links.issue(db, user, "reset"))


def reset_password(db: Session, token: str, password: str) -> User:
    """Set the password from a reset or invitation link: the link is spent, every session
    and token of the account ends, and the address counts as confirmed (the mail came)."""
    user = links.holder(db, token, links.PASSWORD_PURPOSES)
    if user is None:
        raise invalid_link()
    check_password(password, user.email)
    first = links.purpose_of(db, token) == "invite"
    if not links.use(db, token):
        raise invalid_link()
    links.forget_all(db, user.id)
    user.awaiting_confirmation = False
    # An invitation's first password is no change to warn the owner about.
    set_password(db, user, password, notify=not first)
    return user


def change_password(
    db: Session, user: User, *, current: str, new: str, keep_token: str | None
) -> None:
    """The owner changes their password: every other session and token ends."""
    if not verify_password(current, user.password_hash):
        raise InvalidInput.single("current_password", _("The current password is not right."))
    check_password(new, user.email, "new_password")
    set_password(db, user, new, keep_token=keep_token)


def set_password(
    db: Session, user: User, password: str, *, keep_token: str | None = None, notify: bool = True
) -> None:
    """Store the new password, end the account's sessions (but `keep_token`'s) and tell
    the owner by mail (`notify`)."""
    user.password_hash = hash_password(password)
    db.add(user)
    sessions.end_all(db, user.id, keep=keep_token)
    if notify:
        mails.changed(db, user, site_time(utcnow()))
    db.flush()
