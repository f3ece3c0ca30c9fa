"""Reading HTML forms into the API's schemas, so pages and API validate alike."""

from datetime import datetime
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from contest.core.errors import InvalidInput
from contest.core.validation import invalid_input
from contest.core.web.templating import display_zone

Schema = TypeVar("Schema", bound=BaseModel)


async def form_values(request: Request) -> dict[str, str]:
    """The submitted fields as plain strings (the last value of a repeated field)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def local_datetime(value: str) -> datetime | str | None:
    """A datetime-local input, read in the contest's time zone; bad text is left for validation."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=display_zone())
    except ValueError:
        return value


def datetime_local_value(value: datetime | None) -> str:
    """A stored time as a datetime-local input shows it."""
    return value.astimezone(display_zone()).strftime("%Y-%m-%dT%H:%M") if value else ""


def validate(schema: type[Schema], values: dict[str, Any]) -> Schema:
    try:
        return schema.model_validate(values)
    except ValidationError as exc:
        raise invalid_input(exc) from None


def blank_to_none(values: dict[str, Any], *names: str) -> dict[str, Any]:
    return {
        key: (None if key in names and value in ("", None) else value)
        for key, value in values.items()
    }


def drop_blank(values: dict[str, Any], *names: str) -> dict[str, Any]:
    """Leave out empty optional fields so the schema's defaults apply."""
    return {
        key: value for key, value in values.items() if not (key in names and value in ("", None))
    }


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def errors_of(exc: InvalidInput) -> dict[str, str]:
    return exc.by_field()
