"""Phone numbers: parsed with Google's libphonenumber (the `phonenumbers` package), stored
in E.164, shown in a readable form.

A number without a country code is read as a mainland number (region CN): mobiles
(138 0013 8000) and landlines with their area code (021-12345678, 0755 8888 8888). Other
places are written with their country code: +852 Hong Kong, +853 Macau, +886 Taiwan,
+1, +44... An extension (010-88886666-123, 021 1234 5678 转 8) is kept after the
number as `;ext=123` (RFC 3966), since E.164 has no room for one.

Stored: `+8613800138000`, `+862112345678;ext=123`, `+85291234567`. Shown: mainland
numbers in the national form (138 0013 8000, 021 1234 5678), the others in the
international form (+852 9123 4567); text that is not a number (rows written before
numbers were parsed) is shown as it was typed.
"""

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

DEFAULT_REGION = "CN"
EXTENSION = re.compile(r"^(.*?\d)\s*(?:-|转|分机|ext\.?|x|#)\s*(\d{1,6})$", re.IGNORECASE)
STORED_EXTENSION = ";ext="
# Written before the number by people and spreadsheets: full-width characters, brackets.
_WIDTH = str.maketrans("＋（）－　０１２３４５６７８９", "+()- 0123456789")


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def parse(text: str) -> str | None:
    """The number in E.164 (with `;ext=N` for an extension), or None if it is not a valid
    phone number. Empty text is None too: callers decide whether a number is required."""
    compact = text.strip().translate(_WIDTH)
    if not compact:
        return None
    if compact.startswith("00"):  # the international prefix dialled from China
        compact = "+" + compact[2:]
    number = _parse(compact)
    extension = None
    if number is None:
        split = EXTENSION.match(compact)
        if split is None:
            return None
        number = _parse(split.group(1))
        extension = split.group(2)
        if number is None:
            return None
    extension = extension or number.extension
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    return e164 + (STORED_EXTENSION + extension if extension else "")


def normalise(text: str) -> str:
    """The stored form: E.164 when `text` parses, else the text as typed (stripped); for
    rows that must keep what they had (a migration, an unchanged legacy value)."""
    return parse(text) or text.strip()


def display(stored: str | None, locale: str = "zh") -> str:
    """A stored number for people: national form for mainland numbers, international for
    the rest; an extension after 转 (zh) or "ext." (en). Unparseable text as it is."""
    if not stored:
        return ""
    base, _sep, extension = stored.partition(STORED_EXTENSION)
    if not base.startswith("+"):
        return stored
    number = _parse(base)
    if number is None:
        return stored
    style = (
        PhoneNumberFormat.NATIONAL if number.country_code == 86 else PhoneNumberFormat.INTERNATIONAL
    )
    shown = phonenumbers.format_number(number, style)
    if extension:
        shown += (" 转 " if locale.startswith("zh") else " ext. ") + extension
    return shown
