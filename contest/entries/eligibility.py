"""Who may enter which track, and what a complete entry looks like: pure functions.

Nothing here touches the database. Callers pass what they loaded (the track's
rules, today's date, the titles already taken) and get back field-level errors,
so the same rules serve the API, the pages and the bulk import.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from contest.core import phones
from contest.core.errors import FieldError
from contest.core.i18n import _
from contest.core.validation import valid_email

# GB 32100-2015: 31 characters, without I, O, S, V and Z (too easily misread).
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH = 18

URL = re.compile(r"^https?://[^\s<>\"']+\.[^\s<>\"']+$", re.IGNORECASE)

REQUIRED = ("title", "summary", "institution", "city", "leader_name")


@dataclass(frozen=True)
class TrackRules:
    requires_company: bool
    max_company_age_years: int | None = None


@dataclass(frozen=True)
class Candidate:
    """An entry's values as submitted (already stripped), before any rule is applied."""

    title: str = ""
    summary: str = ""
    field: str = ""
    institution: str = ""
    city: str = ""
    leader_name: str = ""
    leader_email: str = ""
    leader_phone: str = ""
    company_name: str = ""
    credit_code: str = ""
    founded_on: date | None = None
    video_url: str = ""


def normalise_credit_code(code: str) -> str:
    """Upper case without spaces: codes are often typed in lower case or in groups."""
    return "".join(code.split()).upper()


def credit_code_check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015, section 5)."""
    total = sum(
        CREDIT_CODE_CHARSET.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """Why a (normalised) unified social credit code is invalid, or None if it is valid."""
    if len(code) != CREDIT_CODE_LENGTH:
        return _("A unified social credit code has 18 characters; this one has %(n)s.") % {
            "n": len(code)
        }
    bad = sorted({char for char in code if char not in CREDIT_CODE_CHARSET})
    if bad:
        return _(
            "Invalid character(s) %(chars)s: the code uses digits and capital letters"
            " except I, O, S, V and Z."
        ) % {"chars": " ".join(bad)}
    if not code[2:8].isdigit():
        return _("Characters 3 to 8 must be digits (the registration area code).")
    if credit_code_check_character(code[:17]) != code[17]:
        return _("The check character does not match: please check the code for typing errors.")
    return None


def is_valid_credit_code(code: str) -> bool:
    return credit_code_problem(normalise_credit_code(code)) is None


def normalise_phone(phone: str) -> str | None:
    """The number in E.164 (contest/core/phones.py): mainland mobiles and landlines without
    a country code, other places with theirs; None if it is not a valid number."""
    return phones.parse(phone)


def phone_message() -> str:
    return _(
        "Enter a valid phone number: a mainland mobile (11 digits), a landline with its"
        " area code like 021-12345678, or a number elsewhere with its country code,"
        " like +852 9123 4567."
    )


def title_key(title: str) -> str:
    """What makes two titles "the same": width, case and spaces do not count."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return "".join(folded.split())


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _required(candidate: Candidate) -> list[FieldError]:
    errors = [
        FieldError((name,), _("This field is required."), "missing")
        for name in REQUIRED
        if not getattr(candidate, name)
    ]
    if not candidate.leader_email and not candidate.leader_phone:
        message = _("Give the leader's phone number or e-mail address.")
        errors.append(FieldError(("leader_phone",), message, "missing"))
    return errors


def _contact(candidate: Candidate) -> list[FieldError]:
    errors = []
    if candidate.leader_email and not valid_email(candidate.leader_email):
        errors.append(FieldError(("leader_email",), _("Enter a valid e-mail address.")))
    if candidate.leader_phone and normalise_phone(candidate.leader_phone) is None:
        message = phone_message()
        errors.append(FieldError(("leader_phone",), message))
    if candidate.video_url and not URL.match(candidate.video_url):
        message = _("Enter a web address starting with http:// or https://.")
        errors.append(FieldError(("video_url",), message))
    return errors


def _company(candidate: Candidate, rules: TrackRules, today: date) -> list[FieldError]:
    if not rules.requires_company:
        message = _("This track is for teams without a company: leave this empty.")
        return [
            FieldError((name,), message, "not_allowed")
            for name in ("company_name", "credit_code", "founded_on")
            if getattr(candidate, name)
        ]
    errors = []
    if not candidate.company_name:
        message = _("This track requires a registered company: enter its name.")
        errors.append(FieldError(("company_name",), message, "missing"))
    if not candidate.credit_code:
        message = _("This track requires the company's unified social credit code.")
        errors.append(FieldError(("credit_code",), message, "missing"))
    else:
        problem = credit_code_problem(normalise_credit_code(candidate.credit_code))
        if problem:
            errors.append(FieldError(("credit_code",), problem, "credit_code"))
    errors.extend(_founding(candidate.founded_on, rules, today))
    return errors


def _founding(founded_on: date | None, rules: TrackRules, today: date) -> list[FieldError]:
    limit = rules.max_company_age_years
    if founded_on is None:
        if limit is None:
            return []
        message = _("Enter the company's founding date (this track has an age limit).")
        return [FieldError(("founded_on",), message, "missing")]
    if founded_on > today:
        return [FieldError(("founded_on",), _("The founding date cannot be in the future."))]
    if limit is not None and founded_on < years_before(today, limit):
        message = _(
            "This track accepts companies founded at most %(n)s years ago (on or after %(day)s)."
        )
        detail = {"n": limit, "day": years_before(today, limit).isoformat()}
        return [FieldError(("founded_on",), message % detail, "too_old")]
    return []


def check(candidate: Candidate, rules: TrackRules | None, *, today: date) -> list[FieldError]:
    """Every rule an entry must meet in its track; an empty list means eligible.

    Without a track (none chosen, or an unknown one) the company rules are skipped;
    the caller reports the track itself.
    """
    errors = [*_required(candidate), *_contact(candidate)]
    if rules is not None:
        errors.extend(_company(candidate, rules, today))
    return errors


def duplicate_title(title: str, taken: set[str]) -> FieldError | None:
    """`taken` holds the title_key of every other entry of the contest."""
    if title and title_key(title) in taken:
        message = _("Another entry of this contest already has this title.")
        return FieldError(("title",), message, "duplicate")
    return None
