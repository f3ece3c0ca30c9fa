"""Which function runs each kind of job; features register theirs at import."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from contest.jobs.context import JobContext

Handler = Callable[[JobContext], None]


@dataclass(frozen=True)
class Kind:
    name: str
    handler: Handler
    max_attempts: int
    # Seconds before the first retry; each later retry waits twice as long as the last.
    retry_delay_s: float
    # What the job's page calls it (an English msgid, translated when shown).
    title: str


_kinds: dict[str, Kind] = {}


def job(
    name: str, *, title: str, max_attempts: int = 5, retry_delay_s: float = 10.0
) -> Callable[[Handler], Handler]:
    """Register `handler` for jobs of kind `name`:
    `@job("awards.certificate_zip", title=N_("Certificates (ZIP)"))`."""

    def register(handler: Handler) -> Handler:
        _kinds[name] = Kind(name, handler, max_attempts, retry_delay_s, title)
        return handler

    return register


def kind(name: str) -> Kind | None:
    return _kinds.get(name)


def title(name: str) -> str:
    """The job kind's title, untranslated; the kind's name when it has none."""
    spec = _kinds.get(name)
    return spec.title if spec else name


class JobFailed(Exception):
    """Raised by a handler for a failure that another try cannot mend (bad input): the
    job fails at once, with this message, instead of being retried."""


# Checks run by the workers every minute, beside the sweep (e.g. judge reminders due
# before a round closes); each gets the worker's database and settings.
MinuteCheck = Callable[[Any, Any], None]
_minute_checks: list[MinuteCheck] = []


def every_minute(check: MinuteCheck) -> MinuteCheck:
    """Register `check(database, settings)` to run in a worker every minute."""
    _minute_checks.append(check)
    return check


def minute_checks() -> list[MinuteCheck]:
    return list(_minute_checks)
