"""The schema comes only from Alembic, matches the models, and the app checks it."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlmodel import Session

from contest.app import create_app
from contest.core import schema
from contest.core.settings import Settings
from contest.models import ScoreSheet, metadata
from tests import factories


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_head_creates_every_table(empty_database: str) -> None:
    schema.upgrade(empty_database)

    assert table_names(empty_database) == set(metadata.tables) | {"alembic_version"}


def test_downgrade_base_removes_every_table(empty_database: str) -> None:
    schema.upgrade(empty_database)

    schema.downgrade(empty_database, "base")

    assert table_names(empty_database) <= {"alembic_version"}


def test_models_match_the_migrated_schema(empty_database: str) -> None:
    schema.upgrade(empty_database)
    engine = create_engine(empty_database)

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()

    assert differences == []


def test_app_refuses_an_unmigrated_database(empty_database: str, tmp_path: Path) -> None:
    settings = Settings(database_url=empty_database, data_dir=tmp_path / "data")

    with pytest.raises(schema.SchemaMismatch, match="python main.py migrate"):
        create_app(settings)


def test_app_refuses_a_database_newer_than_the_code(empty_database: str, tmp_path: Path) -> None:
    schema.upgrade(empty_database)
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_future'"))
    engine.dispose()
    settings = Settings(database_url=empty_database, data_dir=tmp_path / "data")

    with pytest.raises(schema.SchemaMismatch, match="newer than this version"):
        create_app(settings)


def test_app_starts_on_a_migrated_database(empty_database: str, tmp_path: Path) -> None:
    schema.upgrade(empty_database)
    settings = Settings(database_url=empty_database, data_dir=tmp_path / "data")

    app = create_app(settings)

    assert app.state.database.url == empty_database
    app.state.database.dispose()


def sheets_of_one_entry(url: str, *sheets: tuple[list[int], bool]) -> list[ScoreSheet]:
    """Migrate to the newest schema, then give one preliminary entry a sheet per (values,
    submitted), each from the next judge."""
    schema.upgrade(url)
    engine = create_engine(url)
    with Session(engine, expire_on_commit=False) as db:
        world = factories.build_world(db)
        entry = factories.entry(db, world.contest, world.startup, rounds=(world.preliminary,))
        factories.criteria(db, world.preliminary)
        made = [
            factories.sheet(db, world.preliminary, judge, entry, values, submitted=submitted)
            for judge, (values, submitted) in zip(world.judges[: len(sheets)], sheets, strict=True)
        ]
        db.commit()
    engine.dispose()
    return made


def test_sheet_totals_are_filled_in_from_the_scores_on_upgrade(empty_database: str) -> None:
    """Migration 0002 adds score_sheets.total_tenths; existing sheets get the sum of their
    criterion scores, so results read before and after the upgrade agree."""
    scored, empty = sheets_of_one_entry(empty_database, ([275, 200, 155], True), ([], False))

    schema.downgrade(empty_database, "0001")
    schema.upgrade(empty_database)

    engine = create_engine(empty_database)
    with engine.connect() as connection:
        totals = dict(connection.execute(text("SELECT id, total_tenths FROM score_sheets")).all())
    engine.dispose()
    assert totals == {scored.id: 630, empty.id: 0}


def criterion_scores_layout(url: str) -> tuple[list[tuple[int, int, int]], str]:
    """(every score, how SQLite stores the table: 'clustered', 'rowid', or 'n/a')."""
    engine = create_engine(url)
    with engine.connect() as connection:
        scores = connection.execute(
            text("SELECT sheet_id, criterion_id, value_tenths FROM criterion_scores ORDER BY 1, 2")
        ).all()
        layout = "n/a"
        if engine.dialect.name == "sqlite":
            ddl = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'criterion_scores'")
            ).scalar_one()
            layout = "clustered" if "WITHOUT ROWID" in ddl else "rowid"
    engine.dispose()
    return [tuple(row) for row in scores], layout


def test_criterion_scores_are_clustered_on_sqlite_and_survive_the_rebuild(
    empty_database: str,
) -> None:
    """Migration 0003 rebuilds criterion_scores WITHOUT ROWID on SQLite (PostgreSQL has no
    such option); down and up again, every score is still there."""
    sheets_of_one_entry(empty_database, ([275, 200, 155], True), ([300, 0, 100], True))
    scores, layout = criterion_scores_layout(empty_database)
    assert len(scores) == 6
    sqlite = empty_database.startswith("sqlite")
    assert layout == ("clustered" if sqlite else "n/a")

    schema.downgrade(empty_database, "0002")
    assert criterion_scores_layout(empty_database) == (scores, "rowid" if sqlite else "n/a")
    schema.upgrade(empty_database)
    assert criterion_scores_layout(empty_database) == (scores, layout)


def test_phone_numbers_are_rewritten_in_e164_where_they_parse(empty_database: str) -> None:
    """Migration 0031 stores phones in E.164; text that is not a valid number is kept."""
    schema.upgrade(empty_database, "0031-1")
    typed = {
        1: "13800138000",
        2: "021-12345678-123",
        3: "+852 9123 4567",
        4: "0571-8765432",  # seven digits after 0571: not a valid number today
        5: "",
    }
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        for user_id, phone in typed.items():
            connection.execute(
                text(
                    "INSERT INTO users (id, email, name, role, password_hash, institution, phone,"
                    " locale, is_active, awaiting_confirmation, created_at) VALUES (:id, :email,"
                    " '某人', 'team', 'x', '', :phone, '', true, false, CURRENT_TIMESTAMP)"
                ),
                {"id": user_id, "email": f"u{user_id}@example.com", "phone": phone},
            )
    engine.dispose()

    schema.upgrade(empty_database)

    engine = create_engine(empty_database)
    with engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT id, phone FROM users")).all())
    engine.dispose()
    assert stored == {
        1: "+8613800138000",
        2: "+862112345678;ext=123",
        3: "+85291234567",
        4: "0571-8765432",
        5: "",
    }
