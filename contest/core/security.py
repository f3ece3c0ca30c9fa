"""Passwords, session and API tokens, CSRF tokens: the primitives, no web framework."""

import hashlib
import hmac
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so that a wrong e-mail costs the
    same time as a wrong password and the response time does not reveal which accounts
    exist. Made on first use: every process (each CLI command, each helper) paid a
    tenth of a second for it at import."""
    return _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 8


_shared_hashes: ContextVar[dict[str, str] | None] = ContextVar("shared_hashes", default=None)


@contextmanager
def one_hash_per_password() -> Iterator[None]:
    """Within: accounts given the same password share one hash (and its salt). For the
    demo only, whose accounts all have one published password: argon2 is slow by design,
    and a hash per account was a third of the demo's load time."""
    token = _shared_hashes.set({})
    try:
        yield
    finally:
        _shared_hashes.reset(token)


def hash_password(password: str) -> str:
    shared = _shared_hashes.get()
    if shared is None:
        return _hasher.hash(password)
    if password not in shared:
        shared[password] = _hasher.hash(password)
    return shared[password]


def verify_password(password: str, password_hash: str | None) -> bool:
    try:
        matches = _hasher.verify(password_hash or _dummy_hash(), password)
        return matches and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a token: a leaked table does not leak live sessions."""
    return hashlib.sha256(token.encode()).hexdigest()


def throttle_key(email: str, client: str) -> str:
    return hashlib.sha256(f"{email.strip().casefold()}|{client}".encode()).hexdigest()


def sign(secret_key: str, value: str, purpose: str) -> str:
    mac = hmac.new(secret_key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256)
    return f"{value}.{mac.hexdigest()[:32]}"


def unsign(secret_key: str, signed: str, purpose: str) -> str | None:
    value, _, _mac = signed.rpartition(".")
    if not value:
        return None
    return value if hmac.compare_digest(sign(secret_key, value, purpose), signed) else None


def csrf_binding(session_token: str | None) -> str:
    """What a CSRF token is bound to: the log-in session it was minted for (by digest), or
    the anonymous visit (empty) before any log-in."""
    return token_digest(session_token) if session_token else ""


def new_csrf_token(secret_key: str, binding: str) -> str:
    """A random token signed together with its binding: it is only valid beside the
    session (or the anonymous visit) it was minted for."""
    return sign(secret_key, secrets.token_urlsafe(24), f"csrf|{binding}")


def csrf_token_valid(secret_key: str, token: str | None, binding: str) -> bool:
    return bool(token) and unsign(secret_key, token or "", f"csrf|{binding}") is not None


def csrf_tokens_match(
    secret_key: str, cookie_token: str | None, sent_token: str | None, binding: str
) -> bool:
    """Double-submit check: the form's token equals the cookie's, we issued it, and for the
    session it is sent with. A token planted as the cookie (say, from an anonymous visit,
    or another account) beside a victim's session cookie fails the last condition."""
    if not cookie_token or not sent_token:
        return False
    if not csrf_token_valid(secret_key, cookie_token, binding):
        return False
    return hmac.compare_digest(cookie_token, sent_token)
