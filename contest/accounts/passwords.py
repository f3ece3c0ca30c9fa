"""Password rules, the same wherever a password is set: registration, reset, change,
the CLI's create-user, judges and investors created with a password.

A password is refused when it is shorter than 8 characters, only whitespace, the
account's e-mail address (or the part before the @), one of the 30,000 most common
passwords of zxcvbn's list, or a pattern zxcvbn guesses in under 10,000 tries
(`88888888`, `abcdefgh`, `qwertyui`, `1q2w3e4r`).
"""

from functools import cache

from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from contest.core.i18n import _
from contest.core.security import MIN_PASSWORD_LENGTH
from contest.core.validation import normalise_email

# zxcvbn refuses longer input; the first 72 characters decide (a long password whose
# start is a weak pattern, like 200 times "a", is still refused).
ESTIMATE_CHARS = 72
# Fewer guesses than this is a pattern an attacker tries first: repeats, sequences,
# keyboard walks, dates. "longpassword" (18,200 guesses) and "中文密码中文密码" pass;
# "88888888" (97) does not.
MIN_GUESSES = 10_000


@cache
def common_passwords() -> frozenset[str]:
    """zxcvbn's list of the most common passwords (from leaked password sets), lower case."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, email: str = "") -> str | None:
    """Why this password cannot be used (a message for the `password` field), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must have at least 8 characters.")
    if not password.strip():
        return _("The password cannot be only spaces.")
    folded = password.strip().lower()
    address = normalise_email(email)
    if address and folded in {address, address.partition("@")[0]}:
        return _("The password cannot be your e-mail address.")
    if folded in common_passwords() or _guesses(password) < MIN_GUESSES:
        return _("This password is among the most common ones and easy to guess; choose another.")
    return None


def _guesses(password: str) -> float:
    return float(zxcvbn(password[:ESTIMATE_CHARS])["guesses"])
