"""Shape of the audit log in the API."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AuditEntry(BaseModel):
    at: datetime
    actor: str | None
    action: str
    object: str
    detail: dict[str, Any]
