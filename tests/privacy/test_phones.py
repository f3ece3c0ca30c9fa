"""Phone numbers parsed with libphonenumber, stored in E.164, shown readably
(contest/core/phones.py)."""

import pytest

from contest.core import phones


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("138 0013 8000", "+8613800138000"),  # mainland mobile, no country code
        ("+86 138-0013-8000", "+8613800138000"),
        ("021-12345678", "+862112345678"),  # Shanghai landline
        ("0755 8888 8888", "+8675588888888"),  # Shenzhen landline
        ("010-88886666-123", "+861088886666;ext=123"),  # with an extension
        ("+852 9123 4567", "+85291234567"),  # Hong Kong mobile
        ("+852 2123 4567", "+85221234567"),  # Hong Kong fixed line
        ("+853 6612 3456", "+85366123456"),  # Macau
        ("+886 912 345 678", "+886912345678"),  # Taiwan
        ("00886 2 2345 6789", "+886223456789"),  # dialled from the mainland
        ("+1 650 253 0000", "+16502530000"),
        ("+65 6123 4567", "+6561234567"),
        ("（０２１）１２３４５６７８", "+862112345678"),  # full-width, as IMEs type it
    ],
)
def test_numbers_are_stored_in_e164(typed: str, stored: str) -> None:
    assert phones.parse(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "12345", "1380013800", "+852 123", "phone", "021-1234", "<script>", "+999 1234"]
)
def test_what_is_not_a_number_is_refused(typed: str) -> None:
    assert phones.parse(typed) is None


@pytest.mark.parametrize(
    ("stored", "locale", "shown"),
    [
        ("+8613800138000", "zh", "138 0013 8000"),
        ("+862112345678", "zh", "021 1234 5678"),
        ("+861088886666;ext=123", "zh", "010 8888 6666 转 123"),
        ("+861088886666;ext=123", "en", "010 8888 6666 ext. 123"),
        ("+85291234567", "zh", "+852 9123 4567"),
        ("+85366123456", "en", "+853 6612 3456"),
        ("+886912345678", "zh", "+886 912 345 678"),
        ("+16502530000", "en", "+1 650-253-0000"),
        ("0571-8765432", "zh", "0571-8765432"),  # an old row kept as typed
        ("", "zh", ""),
    ],
)
def test_numbers_are_shown_readably(stored: str, locale: str, shown: str) -> None:
    assert phones.display(stored, locale) == shown


def test_a_shown_number_reads_back_as_the_same_number() -> None:
    """The edit form shows the readable form; saving it unchanged keeps the number."""
    for stored in ("+8613800138000", "+861088886666;ext=123", "+85291234567", "+16502530000"):
        assert phones.parse(phones.display(stored, "zh")) == stored
