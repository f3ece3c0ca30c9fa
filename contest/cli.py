"""What the command line does; main.py only parses arguments."""

import argparse
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import uvicorn
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from contest.accounts import service as auth
from contest.core import schema
from contest.core.db import Database
from contest.core.enums import Role
from contest.core.errors import InvalidInput
from contest.core.settings import Settings, get_settings


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    handlers = {
        "serve": lambda: serve(settings, args.host, args.port, args.workers),
        "migrate": lambda: migrate(settings),
        "create-user": lambda: create_user(settings, args),
        "demo": lambda: demo(settings, args),
        "backup": lambda: backup(settings, Path(args.path)),
    }
    try:
        return handlers[args.command]()
    except schema.SchemaMismatch as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def migrate(settings: Settings) -> int:
    schema.upgrade(settings.database_url)
    print(f"database is at schema {schema.head_revision()}: {safe_url(settings)}")
    return 0


def safe_url(settings: Settings) -> str:
    return make_url(settings.database_url).render_as_string(hide_password=True)


def is_new_database(settings: Settings) -> bool:
    database = Database(settings.database_url)
    try:
        return not inspect(database.engine).get_table_names()
    finally:
        database.dispose()


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    if is_new_database(settings):
        migrate(settings)
    database = Database(settings.database_url)
    try:
        schema.check_schema(database.engine)
    finally:
        database.dispose()
    uvicorn.run(
        "contest.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Proxy headers are read by the app, and only from TIANJIAO_TRUSTED_PROXIES
        # (core.web.deps.client_address): uvicorn would believe any local peer.
        proxy_headers=False,
        log_level="info",
    )
    return 0


def create_user(settings: Settings, args: argparse.Namespace) -> int:
    database = Database(settings.database_url)
    schema.check_schema(database.engine)
    try:
        with database.session() as db:
            user = auth.create_user(
                db,
                role=Role(args.role),
                email=args.email,
                password=args.password,
                name=args.name or args.email,
            )
            print(f"created {user.role} {user.email} (id {user.id})")
    except InvalidInput as exc:
        for error in exc.errors:
            print(f"error: {error.field}: {error.message}", file=sys.stderr)
        return 1
    finally:
        database.dispose()
    return 0


def demo(settings: Settings, args: argparse.Namespace) -> int:
    from contest.demo import service as demo_data  # heavy; only the demo command needs it

    migrate(settings)
    database = Database(settings.database_url)
    try:
        logins = demo_data.load(database, settings)
    finally:
        database.dispose()
    demo_data.print_logins(logins, f"http://{args.host}:{args.port}")
    if args.no_serve:
        return 0
    return serve(settings, args.host, args.port)


def backup(settings: Settings, target: Path) -> int:
    """Copy the database consistently while the app may be writing, then the uploads."""
    target.mkdir(parents=True, exist_ok=True)
    if settings.is_sqlite:
        source_path = make_url(settings.database_url).database
        assert source_path is not None, "a SQLite URL without a file has nothing to back up"
        source = sqlite3.connect(source_path)
        copy = sqlite3.connect(target / "tianjiao.db")
        with copy:
            source.backup(copy)  # SQLite's online backup: a consistent snapshot
        source.close()
        copy.close()
    else:
        url = make_url(settings.database_url).set(drivername="postgresql")
        with (target / "tianjiao.sql").open("wb") as out:
            # The URL is the operator's own setting, not user input.
            subprocess.run(  # noqa: S603
                ["pg_dump", "--no-owner", url.render_as_string(hide_password=False)],  # noqa: S607
                stdout=out,
                check=True,
            )
    uploads = settings.uploads_dir
    if uploads.exists():
        shutil.copytree(uploads, target / "uploads", dirs_exist_ok=True)
    print(f"backup written to {target}")
    return 0
