"""Column types and helpers shared by every table."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, Table, inspect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# Stable constraint names: Alembic can then alter them on SQLite and PostgreSQL alike.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model, for Core inserts and column lists.

    The same object as `model.__table__`, which SQLAlchemy sets at runtime but SQLModel's
    type hints do not declare.
    """
    table = inspect(model).local_table
    assert isinstance(table, Table)
    return table


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC; SQLite drops the zone, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def primary_key() -> Any:
    """An autoincrement id, declared `id: int = primary_key()`.

    The column is NOT NULL (a primary key), so `int` is what every stored row holds. The
    attribute is None only on a new object between `db.add()` and the first flush, which
    assigns it; the services flush before they read a new object's id. Declaring it
    `int | None` would make every `user.id` Optional to the type checker for that moment
    alone. The column itself is unchanged: same type, NOT NULL, autoincrement.
    """
    return Field(default=None, primary_key=True)


def timestamp() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def optional_time() -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True)


def json_list() -> Any:
    return Field(default_factory=list, sa_type=JSON, nullable=False)


def json_dict() -> Any:
    return Field(default_factory=dict, sa_type=JSON, nullable=False)
