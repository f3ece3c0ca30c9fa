"""Settings read once from the environment (docs/api.md "Environment")."""

import contextlib
import os
import secrets
from functools import cached_property, lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

IPNetwork = IPv4Network | IPv6Network
SECRET_FILE_NAME = "secret_key"  # noqa: S105 (a file name, not a secret)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIANJIAO_", extra="ignore", populate_by_name=True)

    database_url: str = Field(default="sqlite:///./tianjiao.db", validation_alias="DATABASE_URL")
    data_dir: Path = Path("./data")
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    # Contest times are shown and entered in the contest's local time.
    timezone: str = "Asia/Shanghai"
    session_days: int = 14
    # How long a SQLite writer waits for another before the request answers 503.
    sqlite_busy_timeout_ms: int = 5000
    # PostgreSQL: the longest a request's statement (a lock wait included) may run before
    # the request answers 503 (core.db.PG_CONNECT_ARGS has the connection timeouts).
    db_statement_timeout_ms: int = 10_000
    upload_limit_bytes: int = 20 * 1024 * 1024
    # Uploads stop (507) before the data folder's free space falls under this, so score
    # saves always have room (kit.uploads.FileSink).
    disk_reserve_bytes: int = 200 * 1024 * 1024
    # Upload bodies read per worker per second, all uploads together (0: no limit).
    # Far above what a hall's network brings; it only stops a burst of uploads on a fast
    # link from taking a worker's event loop from the judges' saves (core.web.uploads).
    upload_read_bytes_per_s: int = 20 * 1024 * 1024
    # Slow clients (core.web.slow_clients): a request's head must arrive within this, and
    # a body may not stall longer than that between two chunks.
    header_timeout_s: float = 10.0
    body_idle_timeout_s: float = 30.0
    # Reverse proxies whose X-Forwarded-For is believed: comma-separated addresses or
    # networks (e.g. "127.0.0.1,10.0.0.0/8"). None by default: the peer is the client.
    trusted_proxies: str = ""
    # Privacy consent (docs/api.md "Personal information"): forms always ask for it; API
    # calls without `privacy_consent` are refused (422) only when this is set, since the
    # API contract creates accounts and entries without that field.
    require_api_consent: bool = False
    # Outgoing mail (docs/api.md "Notices, accounts and jobs"): smtp://host:port,
    # smtp+starttls://user:pass@host:port or smtps://user:pass@host:port. Unset: mails stay
    # in the outbox and are printed to the log.
    smtp_url: str = ""
    mail_from: str = ""
    # A CA bundle to verify the SMTP server's certificate (a private CA); system CAs if unset.
    smtp_ca_file: str = ""
    # Background jobs: "" keeps the queue in a SQLite file in the data folder (nothing
    # more to start); redis://host:port/db shares one queue between worker hosts.
    jobs_url: str = ""
    # The queue's name: two installations may share one Redis under different names.
    jobs_queue: str = "tianjiao"
    # A running job whose worker has not reported for this long is taken as dead and run
    # again (its worker was killed or its host lost).
    job_lease_seconds: int = 60
    # Judges with unsubmitted sheets are reminded by mail this many hours before a round
    # closes (once per round); 0 sends no scheduled reminder.
    reminder_hours_before_close: int = 24

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_proxies(cls, value: str) -> str:
        proxy_networks(value)  # refuses to start on a typo rather than trust nobody silently
        return value

    @cached_property
    def trusted_proxy_networks(self) -> tuple[IPNetwork, ...]:
        return proxy_networks(self.trusted_proxies)

    @field_validator("base_url")
    @classmethod
    def _strip_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        """Cookies marked Secure only work behind HTTPS, so follow the base URL."""
        return self.base_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    def ensure_secret_key(self) -> "Settings":
        """Fill secret_key from the data folder, creating it once, so restarts keep sessions."""
        if self.secret_key:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / SECRET_FILE_NAME
        if not path.exists():
            # Written aside then hard-linked: two workers starting together agree on one key
            # and neither can read a half-written file.
            draft = path.with_name(f"{SECRET_FILE_NAME}.{secrets.token_hex(8)}")
            draft.write_text(secrets.token_urlsafe(48), encoding="ascii")
            draft.chmod(0o600)
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
            draft.unlink()
        self.secret_key = path.read_text(encoding="ascii").strip()
        return self


def proxy_networks(text: str) -> tuple[IPNetwork, ...]:
    """ "127.0.0.1, 10.0.0.0/8" -> the networks; ValueError naming a bad item."""
    networks = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            networks.append(ip_network(item, strict=False))
        except ValueError:
            message = f"TIANJIAO_TRUSTED_PROXIES: not an address or network: {item!r}"
            raise ValueError(message) from None
    return tuple(networks)


@lru_cache
def get_settings() -> Settings:
    return Settings().ensure_secret_key()
