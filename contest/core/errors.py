"""Errors services raise; main.py turns them into HTTP answers (API) or pages (web)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One bad field: where it is (e.g. ("credit_code",) or ("rows", 3, "city")) and why."""

    loc: tuple[str | int, ...]
    message: str
    code: str = "invalid"

    @property
    def field(self) -> str:
        return ".".join(str(part) for part in self.loc)


class InvalidInput(Exception):
    """Bad input (HTTP 422); nothing was changed."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: Sequence[FieldError] = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    def __reduce__(self) -> tuple[type["InvalidInput"], tuple[Sequence[FieldError]]]:
        # Raised in the file helper process (core/file_work.py) and re-raised here.
        return (type(self), (self.errors,))

    @classmethod
    def single(cls, field: str, message: str, code: str = "invalid") -> "InvalidInput":
        return cls([FieldError((field,), message, code)])

    def by_field(self) -> dict[str, str]:
        """First message per field, for re-showing a form."""
        messages: dict[str, str] = {}
        for error in self.errors:
            messages.setdefault(error.field, error.message)
        return messages


class NotFound(Exception):
    """Unknown, or not visible to the caller (HTTP 404): both look the same from outside."""


class Forbidden(Exception):
    """Known to the caller but not theirs to do (HTTP 403)."""


class StateConflict(Exception):
    """The request is valid but the object's state forbids it now (HTTP 409)."""

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class TooManyAttempts(Exception):
    """Throttled (HTTP 429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
