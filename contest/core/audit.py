"""The audit log: who did what, when, to which object, before and after, and why."""

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel, col

from contest.models import AuditRecord, User, table_of


def snapshot(obj: SQLModel, fields: Sequence[str] | None = None) -> dict[str, Any]:
    """A JSON-safe copy of an object's columns (or some of them) for before/after."""
    names = fields or list(type(obj).model_fields)
    return {name: _plain(getattr(obj, name)) for name in names}


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def record(
    db: Session,
    *,
    actor: User | None,
    action: str,
    obj: SQLModel | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    contest_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditRecord:
    """Add one audit record in the caller's transaction: it lands exactly when the change does."""
    entry = AuditRecord(
        actor_id=actor.id if actor else None,
        contest_id=contest_id if contest_id is not None else getattr(obj, "contest_id", None),
        action=action,
        object_type=object_type or (table_of(type(obj)).name if obj is not None else ""),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
        reason=reason,
    )
    db.add(entry)
    return entry


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, so the log reads as a diff."""
    changed = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def contest_log(
    db: Session, contest_id: int, *, limit: int = 500, offset: int = 0
) -> list[tuple[AuditRecord, User | None]]:
    rows = db.execute(
        select(AuditRecord, User)
        .outerjoin(User, col(User.id) == AuditRecord.actor_id)
        .where(col(AuditRecord.contest_id) == contest_id)
        .order_by(col(AuditRecord.at).desc(), col(AuditRecord.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [(record_, user) for record_, user in rows]
