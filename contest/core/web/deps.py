"""Request dependencies: the database session, the caller, and who may do what.

Routes declare what they need with the Annotated types at the bottom
(`DbSession`, `CurrentUser`, `CurrentOrganiser`, ...); a route cannot reach
its body without passing the check, so none can forget it.
"""

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col

from contest.core import sessions
from contest.core.db import Database
from contest.core.enums import Role
from contest.core.i18n import _
from contest.core.security import csrf_binding, csrf_tokens_match
from contest.core.settings import IPNetwork, Settings
from contest.core.web import read_only
from contest.models import Investor, User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "tj_session"
CSRF_COOKIE = "tj_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


# Dependencies that do no I/O are `async def`: FastAPI runs a plain `def` dependency in
# the thread pool, and each such hop costs a thread switch (and a wait for the GIL) on
# every request.


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_db(request: Request) -> AsyncIterator[Session]:
    """One session per request, committed once when the route returns, before the reply."""
    database: Database = request.app.state.database
    write = request.method not in SAFE_METHODS
    async with AsyncExitStack() as stack:
        if _streamed(request):
            # An upload takes its turn like any request for the checks before its body,
            # gives it back while the body streams in (a slow upload must hold up nobody),
            # and may take it again to store the file (web.uploads.pause_database_turn,
            # resume_database_turn). Without one, 40 uploads arriving at once competed
            # for connections and SQLite's writer lock outside the queue: 503s.
            turn = DatabaseTurn(database, write=write)
            await turn.take()
            stack.push_async_callback(turn.give_back)
            request.state.database_turn = turn
        else:
            await stack.enter_async_context(_waiting(database.slots, database))
            if write and database.write_queue is not None:
                await stack.enter_async_context(_waiting(database.write_queue, database))
        session = Session(
            database.write_engine if write else database.engine, expire_on_commit=False
        )
        try:
            yield session
        except BaseException:
            await _finish(session, commit=False)
            raise
        await _finish(session, commit=True)


class DatabaseTurn:
    """A request's turn at the database (a connection slot and, for a write on SQLite, the
    process's write queue) that can be given back and taken again within the request."""

    def __init__(self, database: Database, *, write: bool) -> None:
        self.database = database
        self.write = write
        self.held: AsyncExitStack | None = None

    async def take(self) -> None:
        if self.held is not None:
            return
        stack = AsyncExitStack()
        try:
            await stack.enter_async_context(_waiting(self.database.slots, self.database))
            if self.write and self.database.write_queue is not None:
                await stack.enter_async_context(
                    _waiting(self.database.write_queue, self.database)
                )
        except BaseException:
            await stack.aclose()
            raise
        self.held = stack

    async def give_back(self) -> None:
        held, self.held = self.held, None
        if held is not None:
            await held.aclose()


@asynccontextmanager
async def _waiting(
    turn: asyncio.Lock | asyncio.Semaphore, database: Database
) -> AsyncIterator[None]:
    """A turn in the event loop, for at most the busy timeout (then 503, Retry-After)."""
    try:
        await asyncio.wait_for(turn.acquire(), database.busy_timeout_s)
    except TimeoutError:
        raise OperationalError(
            "BEGIN", {}, sqlite3.OperationalError("database is busy (waiting for a turn)")
        ) from None
    try:
        yield
    finally:
        turn.release()


async def _finish(session: Session, *, commit: bool) -> None:
    """Commit (or roll back) and close in one trip to a worker thread; none if unused."""
    if not session.in_transaction():
        session.close()  # no connection was taken: nothing to wait for
        return

    def end() -> None:
        try:
            if commit:
                session.commit()
            else:
                session.rollback()
        finally:
            session.close()

    await run_in_threadpool(end)


Result = TypeVar("Result")


async def write_as(
    request: Request, role: Role, work: Callable[[Session, User], Result]
) -> Result:
    """The whole of a hot write route in one trip to a worker thread and one short
    transaction: the caller looked up (401 and 403 exactly as `CurrentUser` and the
    role dependencies give them), then `work(session, caller)`, then the commit.

    A route using it takes no `DbSession` and no user dependency: those would cost a
    session and a thread trip of their own. It waits for a connection slot like any
    request and, on SQLite, for the write queue, so only this transaction holds the
    database's single writer lock; a call that carries no credentials at all is
    answered 401 before it waits for either.
    """
    if _bearer_token(request) is None and SESSION_COOKIE not in request.cookies:
        raise NotAuthenticated()
    database: Database = request.app.state.database
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(_waiting(database.slots, database))
        if database.write_queue is not None:
            await stack.enter_async_context(_waiting(database.write_queue, database))
        return await run_in_threadpool(_write_as, request, database, role, work)


def _write_as(
    request: Request, database: Database, role: Role, work: Callable[[Session, User], Result]
) -> Result:
    settings: Settings = request.app.state.settings
    if database.is_sqlite:
        # The caller is read before BEGIN IMMEDIATE: the other worker processes can write
        # meanwhile (the ceiling's share at saturation 40% -> 43%).
        with Session(database.engine, expire_on_commit=False) as reader:
            get_optional_user(request, reader, settings)
    with Session(database.write_engine, expire_on_commit=False) as session:
        user = get_optional_user(request, session, settings)  # cached on request.state
        result = work(session, check_role(check_user(request, user), role))
        session.commit()
        return result


def _streamed(request: Request) -> bool:
    """Uploads stream their body while the request runs; they must not hold the queue
    meanwhile (see get_db)."""
    return request.headers.get("content-type", "").startswith("multipart/form-data")


DbSession = Annotated[Session, Depends(get_db, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a page, detached from any database session."""

    id: int
    name: str
    email: str
    role: Role
    # A judge who is also an investor guest of a contest: the navigation links both.
    invests: bool = False

    @classmethod
    def of(cls, user: User, *, invests: bool = False) -> "Viewer":
        return cls(
            id=user.id, name=user.name, email=user.email, role=user.role, invests=invests
        )


def _judge_invests(db: Session, request: Request, user: User) -> bool:
    """For pages only (never the API's hot paths): is this judge an investor somewhere?"""
    if user.role != Role.judge or request.url.path.startswith("/api/"):
        return False
    seat = select(col(Investor.id)).where(col(Investor.user_id) == user.id).limit(1)
    return db.scalars(seat).first() is not None


class NotAuthenticated(Exception):
    """Raised for an anonymous caller; pages answer with a redirect, the API with 401."""


def client_address(request: Request) -> str:
    """The address log-in throttling counts failures against: the peer, unless the peer is
    a trusted proxy (TIANJIAO_TRUSTED_PROXIES); then the nearest address in X-Forwarded-For
    that is not a trusted proxy. Hops further left were written by the client itself, so a
    new made-up address per attempt cannot escape the throttle."""
    peer = request.client.host if request.client else "unknown"
    settings: Settings = request.app.state.settings
    networks = settings.trusted_proxy_networks
    if not networks or not _trusted(peer, networks):
        return peer
    header = ",".join(request.headers.getlist("x-forwarded-for"))
    hops = [hop.strip() for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop[:64]
    return hops[0][:64] if hops else peer


def _trusted(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    try:
        parsed = ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def get_optional_user(request: Request, db: DbSession, settings: AppSettings) -> User | None:
    """The caller, from a bearer token or the session cookie; cached on request.state.
    `request.state.auth_token` keeps the token used, so a route can end it or keep it."""
    if hasattr(request.state, "user"):
        return request.state.user  # type: ignore[no-any-return]
    token = _bearer_token(request)
    kind = "token"
    if token is None:
        cookie = request.cookies.get(SESSION_COOKIE)
        token = sessions.session_token_from_cookie(settings.secret_key, cookie) if cookie else None
        kind = "cookie"
    found = sessions.lookup(db, token, kind) if token else None
    user = found[0] if found else None
    if found and found[1]:
        _touch(request, db, token or "")
    request.state.auth_via = ("bearer" if kind == "token" else "cookie") if user else None
    request.state.auth_token = token if user else None
    request.state.user = user
    # An organiser looking at a contest where they are a viewer may read, not write.
    request.state.read_only = (
        user is not None
        and user.role == Role.organiser
        and read_only.viewer_here(db, user, request.path_params)
    )
    # Pages show who is logged in even when rendered after a rollback (an error page),
    # when the ORM object has been expired; so they get a plain copy.
    request.state.viewer = (
        Viewer.of(user, invests=_judge_invests(db, request, user)) if user else None
    )
    return user


def _touch(request: Request, db: Session, token: str) -> None:
    """Note the session's last use (at most every few minutes). A write request does it in
    its own transaction; a read does it in a short one of its own, skipped if the
    database is busy: a missed note is harmless, a read that waits is not."""
    database: Database = request.app.state.database
    if request.method not in SAFE_METHODS:
        # Not in the read-only look-up that `write_as` makes first on SQLite.
        if db.get_bind() is database.write_engine:
            sessions.touch(db, token)
        return
    if database.is_sqlite and database.write_queue is not None and database.write_queue.locked():
        return
    try:
        with database.session() as side:
            sessions.touch(side, token)
    except OperationalError:
        pass


OptionalUser = Annotated[User | None, Depends(get_optional_user)]


def check_user(request: Request, user: User | None) -> User:
    """The caller, or NotAuthenticated; a cookie-authenticated API write needs the CSRF
    header too."""
    if user is None:
        raise NotAuthenticated()
    # JSON calls made by our own pages carry the CSRF token in a header; page forms
    # are checked by `csrf_protect` on the web routers.
    cookie_write = request.state.auth_via == "cookie" and request.method not in SAFE_METHODS
    if cookie_write and request.url.path.startswith("/api/") and not csrf_ok(request, None):
        raise HTTPException(status.HTTP_403_FORBIDDEN, _("Missing or invalid CSRF token."))
    if request.method not in SAFE_METHODS and getattr(request.state, "read_only", False):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            _("You are a viewer of this contest: you can read everything but change nothing."),
        )
    return user


def check_role(user: User, role: Role) -> User:
    if user.role != role:
        raise HTTPException(status.HTTP_403_FORBIDDEN, _("This is not open to your role."))
    return user


async def require_user(request: Request, user: OptionalUser) -> User:
    return check_user(request, user)


CurrentUser = Annotated[User, Depends(require_user)]


def require_role(role: Role):  # type: ignore[no-untyped-def]
    async def check(user: CurrentUser) -> User:
        return check_role(user, role)

    check.__name__ = f"require_{role.value}"
    return check


CurrentOrganiser = Annotated[User, Depends(require_role(Role.organiser))]
CurrentJudge = Annotated[User, Depends(require_role(Role.judge))]
CurrentTeam = Annotated[User, Depends(require_role(Role.team))]


def csrf_binding_of(request: Request) -> str:
    """The binding of this browser's CSRF token: its session cookie's token, if signed by us."""
    settings: Settings = request.app.state.settings
    cookie = request.cookies.get(SESSION_COOKIE)
    token = sessions.session_token_from_cookie(settings.secret_key, cookie) if cookie else None
    return csrf_binding(token)


def csrf_ok(request: Request, form_token: str | None) -> bool:
    settings: Settings = request.app.state.settings
    sent = form_token or request.headers.get(CSRF_HEADER)
    return csrf_tokens_match(
        settings.secret_key, request.cookies.get(CSRF_COOKIE), sent, csrf_binding_of(request)
    )


async def csrf_protect(request: Request) -> None:
    """Every page form that changes something must echo the CSRF cookie's token."""
    if request.method in SAFE_METHODS:
        return
    form_token = None
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        form_token = value if isinstance(value, str) else None
    if not csrf_ok(request, form_token):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            _("This form has expired or came from another site. Reload the page and try again."),
        )
