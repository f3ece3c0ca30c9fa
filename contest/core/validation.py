"""Validation messages people can read, in their language, naming the field.

Pydantic's own messages are English and technical; pages show these instead,
and the API uses the same ones for the rules we write ourselves.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

from contest.core.errors import FieldError, InvalidInput
from contest.core.i18n import _

EMAIL_PATTERN = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
# A message that names what someone sent quotes at most this many characters of it.
EXCERPT_LENGTH = 40


def is_ascii_number(text: str, max_digits: int = 18) -> bool:
    """Whole-number text of ASCII digits only: "²" and "٣" are digits to `str.isdigit`,
    and `int` refuses the first and reads the second, so neither counts here."""
    return 0 < len(text) <= max_digits and text.isascii() and text.isdigit()


def ascii_int(text: str, max_digits: int = 18) -> int | None:
    """The number the text spells in ASCII digits, or None."""
    return int(text) if is_ascii_number(text, max_digits) else None


def excerpt(value: object, limit: int = EXCERPT_LENGTH) -> str:
    """A short quote of input for an error message: an answer never echoes a whole field."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def excerpts(values: Iterable[object], count: int = 10) -> str:
    """The first few values, each quoted short, and how many more there are."""
    items = list(values)
    shown = ", ".join(excerpt(v) for v in items[:count])
    return shown if len(items) <= count else f"{shown} (+{len(items) - count})"


def valid_email(email: str) -> bool:
    return len(email) <= 254 and EMAIL_PATTERN.match(email) is not None


# Characters that print as nothing (or as a blank) yet make a different address:
# format characters (zero-width space and joiners, BOM, soft hyphen, direction marks),
# controls, and the fillers of Hangul and Braille that fonts draw empty.
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def has_invisible(text: str) -> bool:
    return any(
        ch in INVISIBLE_LETTERS or unicodedata.category(ch) in INVISIBLE_CATEGORIES
        for ch in text
    )


def normalise_email(value: str) -> str:
    """One spelling per address: NFKC (full-width ＠ and letters become ASCII), trimmed,
    lower case. Two people typing the same address find the same account."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def email_problem(value: str) -> str | None:
    """Why this text cannot be an account's address, or None."""
    if has_invisible(value.strip()):
        return _("The e-mail address contains invisible characters; type it again.")
    if not valid_email(normalise_email(value)):
        return _("Enter a valid e-mail address.")
    return None


def email_address(value: str) -> str:
    """Field validator: a plausible, normalised e-mail address without invisible characters."""
    problem = email_problem(value)
    if problem is not None:
        raise invalid("email", problem)
    return normalise_email(value)


FIRST_YEAR, LAST_YEAR = 2000, 2100


def in_contest_years(value: datetime) -> datetime:
    """Field validator: a contest's times fall in 2000..2100. Checked on the year as given,
    before any conversion: moving 0001-01-01T00:30+01:00 to UTC would itself overflow."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise invalid(
            "datetime_range",
            _("Give a date between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
        )
    return value


def not_null(value: object) -> object:
    """Before-validator for a partial update's fields that have no empty state: an explicit
    null is refused (leaving the field out keeps it as it is)."""
    if value is None:
        raise invalid("null", _("This field cannot be empty."))
    return value


def invalid(code: str, message: str, **context: Any) -> PydanticCustomError:
    """A validation error with our own (already translated) message, no "Value error," prefix."""
    return PydanticCustomError(code, message, context or None)


def message_of(error: Mapping[str, Any]) -> str:
    """A Pydantic error's message as people read it, translated."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    known = {
        "missing": _("This field is required."),
        "string_too_short": _("This field is required."),
        "string_too_long": _("Too long: at most %(max)s characters.")
        % {"max": ctx.get("max_length")},
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "float_parsing": _("Enter a number."),
        "decimal_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "greater_than": _("Must be greater than %(limit)s.") % {"limit": ctx.get("gt")},
        "greater_than_equal": _("Must be at least %(limit)s.") % {"limit": ctx.get("ge")},
        "less_than": _("Must be less than %(limit)s.") % {"limit": ctx.get("lt")},
        "less_than_equal": _("Must be at most %(limit)s.") % {"limit": ctx.get("le")},
        "bool_parsing": _("Choose yes or no."),
        "enum": _("Choose one of the offered values."),
        "literal_error": _("Choose one of the offered values."),
        "datetime_parsing": _("Enter a date and time."),
        "datetime_from_date_parsing": _("Enter a date and time."),
        "date_parsing": _("Enter a date (YYYY-MM-DD)."),
        "date_from_datetime_parsing": _("Enter a date (YYYY-MM-DD)."),
        "timezone_aware": _("Give the time with its time zone."),
        "decimal_max_places": _("Use at most %(places)s decimal places.")
        % {"places": ctx.get("decimal_places")},
        "too_short": _("Add at least %(min)s.") % {"min": ctx.get("min_length")},
        "too_long": _("At most %(max)s allowed.") % {"max": ctx.get("max_length")},
    }
    fallback: str = error.get("msg", _("Invalid value."))
    return known.get(kind, fallback)


def invalid_input(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> InvalidInput:
    """Turn Pydantic's errors into ours: one FieldError per problem, translated."""
    errors = []
    for error in exc.errors():
        loc = tuple(part for part in error["loc"] if part not in ("body",))
        errors.append(FieldError((*prefix, *loc), message_of(error), error["type"]))
    return InvalidInput(errors)
