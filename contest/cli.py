"""What the command line does; main.py only parses arguments.

Each command imports what only it needs (the app and uvicorn for `serve`, the job
handlers for `worker`, the accounts service for `create-user`): importing the whole app
took about two seconds of CPU, which `migrate`, `create-user` and `backup` paid for
nothing on every run.
"""

import argparse
import contextlib
import json
import logging
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from contest.core import schema
from contest.core.db import Database
from contest.core.enums import Role
from contest.core.errors import InvalidInput
from contest.core.process import mark_supervisor, stop_with_parent_process
from contest.core.settings import SECRET_FILE_NAME, Settings, get_settings
from contest.kit.uploads import INCOMING, remove_partial_uploads


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    handlers = {
        "serve": lambda: serve(
            settings, args.host, args.port, args.workers, with_worker=not args.no_worker
        ),
        "worker": lambda: worker(settings, args.threads, parent=args.parent),
        "migrate": lambda: migrate(settings),
        "create-user": lambda: create_user(settings, args),
        "demo": lambda: demo(settings, args),
        "backup": lambda: backup(settings, Path(args.path)),
        "restore": lambda: restore(settings, Path(args.path), force=args.force),
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


def serve(
    settings: Settings, host: str, port: int, workers: int = 1, *, with_worker: bool = True
) -> int:
    if is_new_database(settings):
        migrate(settings)
    database = Database(settings.database_url)
    try:
        schema.check_schema(database.engine)
    finally:
        database.dispose()
    prepare_host(settings)
    # Its children (uvicorn's workers, the jobs' worker) stop when this process dies,
    # even by SIGKILL, so a restart finds the port free (core.process).
    mark_supervisor()
    # The background jobs' worker runs beside the app as a process of its own (its
    # threads never compete with the app's for the GIL), stopped when serving ends.
    job_worker = start_worker_process(settings) if with_worker else None
    try:
        _serve(host, port, workers)
    finally:
        if job_worker is not None:
            stop_worker_process(job_worker)
    return 0


def _serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    from contest.core.web.slow_clients import SlowClientProtocol

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
        # uvicorn kills a worker that does not answer its health check within 5 s and
        # starts another: on a busy machine (load 20 on 2 cores, measured) a worker still
        # importing the app never answers in time, and the server never comes up.
        timeout_worker_healthcheck=60,
        # Read timeouts for slow clients (core.web.slow_clients).
        http=SlowClientProtocol,
        # A stop (SIGTERM, or the supervisor gone) lets requests in flight finish, for
        # at most this long; then the worker exits and frees the port.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


GRACEFUL_SHUTDOWN_S = 10


def prepare_host(settings: Settings) -> None:
    """Before serving: remove uploads a crash left half-written (they kept a full disk
    full), and allow as many open files as the system lets this user have (each client
    connection is one; the default 1,024 ran out under 3,000 slow clients)."""
    removed = remove_partial_uploads(settings.uploads_dir)
    if removed:
        print(f"removed {removed} partial upload(s) left by an earlier run")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = 65536 if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def start_worker_process(settings: Settings) -> subprocess.Popen[bytes]:
    main = Path(__file__).resolve().parents[1] / "main.py"
    command = [sys.executable, str(main), "worker", "--parent", str(os.getpid())]
    # Our own interpreter and main.py with a fixed argument list: no user input.
    return subprocess.Popen(command, env=settings_environment(settings))  # noqa: S603


def settings_environment(settings: Settings) -> dict[str, str]:
    """The environment that gives another process these very settings."""
    env = dict(os.environ)
    for name, value in settings.model_dump().items():
        key = "DATABASE_URL" if name == "database_url" else f"TIANJIAO_{name.upper()}"
        if isinstance(value, Path):
            env[key] = str(value.resolve())
        elif isinstance(value, list | dict):
            env[key] = json.dumps(value)  # how pydantic-settings reads complex values
        else:
            env[key] = str(value)
    return env


def stop_worker_process(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # SIGTERM: huey stops taking jobs; an interrupted one is run again
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def worker(settings: Settings, threads: int, *, parent: int | None = None) -> int:
    """Run background jobs until stopped (SIGINT: after the running jobs; SIGTERM: now)."""
    from contest.jobs import engine as jobs_engine

    register_every_job_kind()
    if parent is not None:
        # The worker `serve` started ends when `serve` does, even killed (no orphan): a
        # job it was running is taken up again by the next worker's sweep.
        stop_with_parent_process(parent)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    database = Database(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    try:
        schema.check_schema(database.engine)
        jobs_engine.configure(settings, database)
        jobs_engine.sweep_now()  # jobs left running by a worker that died, at once
        jobs_engine.start_consumer(threads).run()
    finally:
        database.dispose()
    return 0


def register_every_job_kind() -> None:
    """Jobs are queued and run by kind; a process that queues or runs one must know them
    all (the app does through its routes; the demo and the worker through this)."""
    from contest.awards import certificate_jobs  # noqa: F401
    from contest.exports import workbook_job  # noqa: F401
    from contest.judging import reminders  # noqa: F401
    from contest.notices import delivery  # noqa: F401


def create_user(settings: Settings, args: argparse.Namespace) -> int:
    from contest.accounts import service as auth

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
    from contest.demo import service as demo_data

    register_every_job_kind()
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


BACKUP_SQLITE = "tianjiao.db"
BACKUP_PG = "tianjiao.sql"


def backup(settings: Settings, target: Path) -> int:
    """Copy the database consistently while the app may be writing, then the uploads and
    the secret key (without it every log-in session ends at a restore)."""
    target.mkdir(parents=True, exist_ok=True)
    if settings.is_sqlite:
        source_path = make_url(settings.database_url).database
        assert source_path is not None, "a SQLite URL without a file has nothing to back up"
        source = sqlite3.connect(source_path)
        copy = sqlite3.connect(target / BACKUP_SQLITE)
        with copy:
            source.backup(copy)  # SQLite's online backup: a consistent snapshot
        source.close()
        copy.close()
    else:
        with (target / BACKUP_PG).open("wb") as out:
            # The URL is the operator's own setting, not user input.
            subprocess.run(  # noqa: S603
                ["pg_dump", "--no-owner", _libpq_url(settings)],  # noqa: S607
                stdout=out,
                check=True,
            )
    uploads = settings.uploads_dir
    if uploads.exists():
        # Half-received uploads are not documents: they stay out of the copy.
        shutil.copytree(
            uploads, target / "uploads", dirs_exist_ok=True, ignore=shutil.ignore_patterns(INCOMING)
        )
    secret = target / SECRET_FILE_NAME
    secret.write_text(settings.secret_key, encoding="utf-8")
    secret.chmod(0o600)
    print(f"backup written to {target}")
    return 0


def _libpq_url(settings: Settings) -> str:
    url = make_url(settings.database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class RestoreRefused(Exception):
    """The restore would lose data or cannot work; nothing was changed."""


def restore(settings: Settings, source: Path, *, force: bool = False) -> int:
    """Load a backup made by `backup` into the configured database and data folder.

    Refuses a database that holds any account or contest unless `force` (then its
    contents are replaced), and a backup of the other kind of database. The uploads
    and the secret key are put back; the schema is brought up to this version's."""
    try:
        _check_restorable(settings, source, force=force)
    except RestoreRefused as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if settings.is_sqlite:
        _restore_sqlite(settings, source / BACKUP_SQLITE)
    else:
        _restore_postgres(settings, source / BACKUP_PG)
    _restore_files(settings, source)
    schema.upgrade(settings.database_url)  # a backup of an older version is migrated
    print(f"restored {source} into {safe_url(settings)} and {settings.data_dir}")
    return 0


def _check_restorable(settings: Settings, source: Path, *, force: bool) -> None:
    wanted = BACKUP_SQLITE if settings.is_sqlite else BACKUP_PG
    if not (source / wanted).is_file():
        other = BACKUP_PG if settings.is_sqlite else BACKUP_SQLITE
        other_kind = (source / other).exists()
        hint = " (it is a backup of the other kind of database)" if other_kind else ""
        raise RestoreRefused(f"{source} has no {wanted}{hint}")
    if not force and _holds_data(settings):
        raise RestoreRefused(
            f"{safe_url(settings)} is not empty; restore with --force to replace its contents"
        )


def _holds_data(settings: Settings) -> bool:
    if settings.is_sqlite:
        path = make_url(settings.database_url).database
        if not path or not Path(path).exists():
            return False
    database = Database(settings.database_url)
    try:
        tables = set(inspect(database.engine).get_table_names())
        if not tables:
            return False
        if not {"users", "contests"} <= tables:
            return True  # something else lives here: not ours to replace silently
        with database.engine.connect() as connection:
            return any(
                connection.execute(text(f"SELECT 1 FROM {table} LIMIT 1")).first()  # noqa: S608
                for table in ("users", "contests")
            )
    finally:
        database.dispose()


def _restore_sqlite(settings: Settings, backup_file: Path) -> None:
    path = make_url(settings.database_url).database
    assert path, "a SQLite URL without a file cannot be restored into"
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(backup_file)
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)  # replaces every page of the target, WAL included
    source.close()
    copy.close()


def _restore_postgres(settings: Settings, dump: Path) -> None:
    database = Database(settings.database_url)
    try:
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        database.dispose()
    # The URL is the operator's own setting, the dump file the operator's own backup.
    subprocess.run(  # noqa: S603
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", "-f", str(dump), _libpq_url(settings)],  # noqa: S607
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _restore_files(settings: Settings, source: Path) -> None:
    uploads = settings.uploads_dir
    if uploads.exists():
        shutil.rmtree(uploads)
    if (source / "uploads").is_dir():
        shutil.copytree(source / "uploads", uploads)
    secret = source / SECRET_FILE_NAME
    if secret.is_file():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        target = settings.data_dir / SECRET_FILE_NAME
        target.write_text(secret.read_text(encoding="utf-8").strip(), encoding="utf-8")
        target.chmod(0o600)
