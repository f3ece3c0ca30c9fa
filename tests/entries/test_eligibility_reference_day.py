"""A company's age is judged on the registration deadline once it has passed."""

from datetime import UTC, date, datetime

from contest.entries.service import reference_day
from contest.models import Contest


def test_reference_day_is_today_while_registration_is_open():
    contest = Contest(name="x", year=2099, registration_closes_at=datetime(2099, 1, 1, tzinfo=UTC))

    assert reference_day(contest) < date(2099, 1, 1)


def test_reference_day_is_the_deadline_after_it_passed():
    # 2023-07-15 18:00 in Shanghai is 10:00 UTC.
    contest = Contest(
        name="x", year=2023, registration_closes_at=datetime(2023, 7, 15, 10, 0, tzinfo=UTC)
    )

    assert reference_day(contest) == date(2023, 7, 15)


def test_reference_day_without_a_deadline_is_today():
    contest = Contest(name="x", year=2023)

    assert reference_day(contest) > date(2023, 7, 15)
