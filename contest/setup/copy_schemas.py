"""The shape of a request to copy a contest's set-up into a new contest."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from contest.setup.schemas import ContestTime, Strict, Text, _window


class ContestCopy(Strict):
    """The new contest's own name and dates; everything else comes from the source."""

    name: Annotated[Text, Field(max_length=200)]
    year: Annotated[int, Field(ge=2000, le=2100)]
    edition: Annotated[int, Field(ge=1, le=1000)] | None = None
    registration_opens_at: ContestTime | None = None
    registration_closes_at: ContestTime | None = None

    @field_validator("registration_closes_at")
    @classmethod
    def _after_opening(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        # A field validator (not a model one), so the error names the field.
        _window(info.data.get("registration_opens_at"), value, "registration_closes_at")
        return value
