"""Tianjiao: the app (for uvicorn) and the command line.

python main.py serve [--host 127.0.0.1] [--port 8000] [--workers 1] [--no-worker]
python main.py worker [--threads 2]
python main.py migrate
python main.py create-user --role organiser --email E --password P [--name N]
python main.py demo [--no-serve]
python main.py backup PATH
python main.py restore PATH [--force]
"""

import argparse
import sys

from contest import cli


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python main.py", description="Tianjiao 天骄")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate a new database, then serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--no-worker", action="store_true", help="do not run background jobs beside the app"
    )

    worker = commands.add_parser("worker", help="run background jobs (mail, exports, imports)")
    worker.add_argument("--threads", type=int, default=2)
    worker.add_argument("--parent", type=int, default=None, help=argparse.SUPPRESS)

    commands.add_parser("migrate", help="upgrade the database to the latest schema")

    create_user = commands.add_parser("create-user", help="create an account")
    create_user.add_argument("--role", required=True, choices=["organiser", "judge", "team"])
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--password", required=True)
    create_user.add_argument("--name", default="")

    demo = commands.add_parser("demo", help="load the demo contest, print log-ins, serve")
    demo.add_argument("--no-serve", action="store_true", help="load and exit")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)

    backup = commands.add_parser("backup", help="a consistent copy of database and uploads")
    backup.add_argument("path")

    restore = commands.add_parser(
        "restore", help="load a backup into an empty database (or replace one: --force)"
    )
    restore.add_argument("path")
    restore.add_argument(
        "--force", action="store_true", help="replace a database that already holds data"
    )

    args = parser.parse_args(argv)
    return cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
