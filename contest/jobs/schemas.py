"""The job's API shape (docs/api.md "Notices, accounts and jobs")."""

from typing import Literal

from pydantic import BaseModel, Field


class JobPublic(BaseModel):
    id: int
    kind: str
    state: Literal["queued", "running", "done", "failed"]
    progress: float = Field(ge=0, le=1)
    result_url: str | None
    error: str | None
