"""The database schema's version: migrate it, and refuse to run on the wrong one."""

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

ROOT = Path(__file__).resolve().parents[2]


class SchemaMismatch(RuntimeError):
    """The database is not at the schema this code expects."""


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


@cache
def head_revision() -> str:
    """The newest revision this code knows. Read once per process: the revision files
    do not change under a running program, and parsing them cost 50 ms per app start
    (each test starts one)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None
    return head


@cache
def known_revisions() -> frozenset[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return frozenset(rev.revision for rev in script.walk_revisions())


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_schema(engine: Engine) -> None:
    """Raise SchemaMismatch with a message an operator can act on."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaMismatch(
            "The database has not been migrated. Run `python main.py migrate` first."
        )
    if current not in known_revisions():
        raise SchemaMismatch(
            f"The database schema ({current}) is newer than this version of Tianjiao "
            f"(which knows up to {head}). Upgrade Tianjiao, or restore a matching backup."
        )
    raise SchemaMismatch(
        f"The database schema ({current}) is behind this version of Tianjiao ({head}). "
        "Run `python main.py migrate` to upgrade it."
    )
