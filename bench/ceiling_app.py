"""The ceiling for bench/load.py: a bare FastAPI endpoint inserting one row per request
into the same database, written the plain way (one engine, WAL on SQLite, a short
transaction per request) with no authentication, validation, rules or audit.

    DATABASE_URL=... uvicorn bench.ceiling_app:app --workers 2
"""

import os
from typing import Any

from fastapi import FastAPI
from sqlalchemy import create_engine, event, text

from contest.models import utcnow

URL = os.environ["DATABASE_URL"]
SQLITE = URL.startswith("sqlite")
engine = create_engine(URL, connect_args={"check_same_thread": False, "timeout": 5}
                       if SQLITE else {}, **({} if SQLITE else {"pool_size": 20}))

if SQLITE:
    @event.listens_for(engine, "connect")
    def _wal(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")

with engine.begin() as setup:
    setup.execute(text("CREATE TABLE IF NOT EXISTS load_ceiling (id INTEGER PRIMARY KEY, at TEXT)"
                       if SQLITE else
                       "CREATE TABLE IF NOT EXISTS load_ceiling (id SERIAL PRIMARY KEY, at TEXT)"))

app = FastAPI()


@app.get("/ping")
def ping() -> dict[str, bool]:
    return {"ok": True}


@app.post("/insert")
def insert_one() -> dict[str, bool]:
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO load_ceiling (at) VALUES (:at)"),
                           {"at": utcnow().isoformat()})
    return {"ok": True}
