"""Privacy notices and consent to them (docs/rules.md "Personal information").

A contest's notice has versions 1, 2, ...: an organiser's edit adds the next one, and
nothing ever changes a stored version. Until the organiser writes one, the contest uses
the default text (contest/consent/texts.py) as version 1; that version is stored the
first time anyone consents to it or the notice is edited, so the text behind every
recorded consent can be shown again.

Consent is recorded with the version and the time: on the account for the site's notice
(sign-up), on the entry for the contest's notice (the entry form).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from contest.consent import texts
from contest.core import audit
from contest.core.errors import FieldError, InvalidInput, StateConflict
from contest.core.i18n import _
from contest.models import Contest, Entry, PrivacyNotice, User, utcnow

FIELD = "privacy_consent"
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Notice:
    version: int
    text_zh: str
    text_en: str
    created_at: datetime | None
    # False while a contest still uses the default text (version 1, not stored yet).
    edited: bool

    def text(self, locale: str) -> str:
        return self.text_en if locale == "en" and self.text_en else self.text_zh


def site_notice() -> Notice:
    """The site's notice, agreed to at sign-up."""
    return Notice(texts.SITE_VERSION, texts.SITE_ZH, texts.SITE_EN, None, edited=False)


def default_texts(contest: Contest) -> tuple[str, str]:
    names = {"contest": contest.name, "organisers": "、".join(contest.organisers) or contest.name}
    names_en = {
        "contest": contest.name_en or contest.name,
        "organisers": ", ".join(contest.organisers) or contest.name,
    }
    return texts.CONTEST_ZH.format(**names), texts.CONTEST_EN.format(**names_en)


def _stored(row: PrivacyNotice) -> Notice:
    return Notice(row.version, row.text_zh, row.text_en, row.created_at, edited=row.version > 1)


def versions(db: Session, contest_id: int) -> list[PrivacyNotice]:
    """Every stored version of the contest's notice, newest first."""
    return list(
        db.scalars(
            select(PrivacyNotice)
            .where(col(PrivacyNotice.contest_id) == contest_id)
            .order_by(col(PrivacyNotice.version).desc())
        )
    )


def _latest(db: Session, contest_id: int) -> PrivacyNotice | None:
    return db.scalars(
        select(PrivacyNotice)
        .where(col(PrivacyNotice.contest_id) == contest_id)
        .order_by(col(PrivacyNotice.version).desc())
        .limit(1)
    ).first()


def current(db: Session, contest: Contest) -> Notice:
    """The version teams agree to now."""
    row = _latest(db, contest.id)
    if row is not None:
        return _stored(row)
    zh, en = default_texts(contest)
    return Notice(1, zh, en, None, edited=False)


def version_text(db: Session, contest: Contest, version: int) -> Notice | None:
    """The text of one version (what a team agreed to), or None if there is no such one."""
    row = db.scalars(
        select(PrivacyNotice).where(
            col(PrivacyNotice.contest_id) == contest.id, col(PrivacyNotice.version) == version
        )
    ).first()
    if row is not None:
        return _stored(row)
    return current(db, contest) if version == 1 and _latest(db, contest.id) is None else None


def _insert(db: Session, row: PrivacyNotice) -> None:
    """Add a version; two organisers saving at once meet the unique index."""
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:
        raise StateConflict(
            _("The privacy notice was changed at the same moment by someone else: reload it.")
        ) from None


def _materialise(db: Session, contest: Contest) -> PrivacyNotice:
    """The current version as a stored row (storing the default text as version 1)."""
    row = _latest(db, contest.id)
    if row is not None:
        return row
    zh, en = default_texts(contest)
    row = PrivacyNotice(contest_id=contest.id, version=1, text_zh=zh, text_en=en)
    try:
        with db.begin_nested():
            db.add(row)
            db.flush()
    except IntegrityError:  # stored by a concurrent consent: use that one
        stored = _latest(db, contest.id)
        assert stored is not None
        return stored
    return row


def text_problems(text_zh: str, text_en: str) -> list[FieldError]:
    errors = []
    if not text_zh.strip():
        errors.append(
            FieldError(("text_zh",), _("Write the notice in Chinese (it is required)."), "missing")
        )
    for name, text in (("text_zh", text_zh), ("text_en", text_en)):
        if len(text) > MAX_TEXT:
            message = _("At most %(n)s characters.") % {"n": MAX_TEXT}
            errors.append(FieldError((name,), message, "too_long"))
    return errors


def save(db: Session, *, actor: User, contest: Contest, text_zh: str, text_en: str) -> Notice:
    """The organiser's edit: a new version when the text changed (audited); the same
    version when nothing changed."""
    errors = text_problems(text_zh, text_en)
    if errors:
        raise InvalidInput(errors)
    text_zh, text_en = _clean(text_zh), _clean(text_en)
    before = _materialise(db, contest)
    if (before.text_zh, before.text_en) == (text_zh, text_en):
        return _stored(before)
    row = PrivacyNotice(
        contest_id=contest.id,
        version=before.version + 1,
        text_zh=text_zh,
        text_en=text_en,
        created_by_id=actor.id,
    )
    _insert(db, row)
    audit.record(
        db,
        actor=actor,
        action="privacy_notice.update",
        obj=row,
        before={"version": before.version, "text_zh": before.text_zh, "text_en": before.text_en},
        after={"version": row.version, "text_zh": row.text_zh, "text_en": row.text_en},
    )
    return _stored(row)


def _clean(text: str) -> str:
    """Line ends as \\n and no trailing spaces at the end: a form's text and the API's
    compare equal, so an unchanged save keeps its version."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def refusal() -> InvalidInput:
    return InvalidInput.single(
        FIELD, _("Read the privacy notice and agree to it to go on."), "consent_required"
    )


def require(consent: bool | None, *, required: bool) -> bool:
    """Whether consent was given: True goes on; an explicit False is refused (422 naming
    `privacy_consent`), and so is no answer where an answer is `required` (every form;
    the API when TIANJIAO_REQUIRE_API_CONSENT is set). No answer where none is required
    (API clients written before consent existed) goes on without a recorded consent."""
    if consent is True:
        return True
    if consent is False or required:
        raise refusal()
    return False


def answer(consent: bool | None, *, required: bool) -> tuple[bool, list[FieldError]]:
    """`require` as (agreed, errors), for forms that report every bad field at once."""
    try:
        return require(consent, required=required), []
    except InvalidInput as exc:
        return False, list(exc.errors)


def record_for_user(user: User) -> None:
    """The account agreed to the site's notice now."""
    user.privacy_version = texts.SITE_VERSION
    user.privacy_consented_at = utcnow()


def record_for_entry(db: Session, contest: Contest, entry: Entry) -> None:
    """The entry's team agreed to the contest's current notice now."""
    notice = _materialise(db, contest)
    entry.privacy_version = notice.version
    entry.privacy_consented_at = utcnow()
