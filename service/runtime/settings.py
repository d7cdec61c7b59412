"""Configuration from the environment: the database, where local data lives, and which plan."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

SERVICE_ROLE = "nedbrud_service"
# Dashboards read the views of schema `dashboards` as members of this role (migration 0010).
READER_ROLE = "nedbrud_reader"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "nedbrud"


@dataclass(frozen=True)
class Settings:
    """What the service needs to know before it can start."""

    database_url: str | None
    data_dir: Path
    bootstrap_key: str | None
    pool_size: int = 10
    plan_path: Path | None = None
    rate_per_second: float = 50.0
    rate_burst: int = 500
    # Unknown or revoked keys per client address: `auth_failure_burst` at once, then one every
    # 1 / `auth_failure_rate` seconds.
    auth_failure_rate: float = 0.2
    auth_failure_burst: int = 20
    # The reverse proxies whose X-Forwarded-For names the client (comma-separated addresses);
    # none by default, so no client can choose the address it is counted under.
    forwarded_allow_ips: str | None = None
    pseudonym_key: bytes | None = None
    lock_timeout_ms: int = 5000
    statement_timeout_ms: int = 15000
    service_database_url: str | None = None
    sealing_key: bytes | None = None
    # Signed checkpoints of the log's head: where they go, and how often the service writes one
    # (seconds; 0: only `nedbrud checkpoint`).
    checkpoint_dir: Path | None = None
    checkpoint_interval_s: float = 300.0
    rounds_interval_s: float = 30.0
    # Webhooks out: whether a private or loopback address may receive them, the first retry's
    # wait (doubling up to 10 minutes) and how long a delivery is retried before it fails.
    webhook_allow_private: bool = False
    webhook_retry_base_s: float = 2.0
    webhook_retry_for_s: float = 24 * 3600.0
    # Where people reach the service (https://nedbrud.kommune.dk), for links printed on paper
    # (the paper kit's QR codes); unset, the address the request came to.
    public_url: str | None = None

    def checkpoints(self) -> Path:
        return self.checkpoint_dir or self.data_dir / "checkpoints"

    def service_url(self) -> str | None:
        """Where the running service connects: as `nedbrud_service`, which may read and append
        but not alter the log (migration 0005). NEDBRUD_SERVICE_DATABASE_URL gives it with its
        password; otherwise DATABASE_URL with the user swapped (enough for trust or peer auth,
        and for the embedded server)."""
        if self.service_database_url or self.database_url is None:
            return self.service_database_url or self.database_url
        parts = urlsplit(self.database_url)
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{SERVICE_ROLE}@{host}"))

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            data_dir=Path(os.environ.get("NEDBRUD_DATA_DIR") or default_data_dir()),
            bootstrap_key=os.environ.get("NEDBRUD_BOOTSTRAP_KEY") or None,
            pool_size=int(os.environ.get("NEDBRUD_POOL_SIZE", "10")),
            plan_path=Path(plan) if (plan := os.environ.get("NEDBRUD_PLAN")) else None,
            rate_per_second=float(os.environ.get("NEDBRUD_RATE_PER_SECOND", "50")),
            rate_burst=int(os.environ.get("NEDBRUD_RATE_BURST", "500")),
            auth_failure_rate=float(os.environ.get("NEDBRUD_AUTH_FAILURE_RATE", "0.2")),
            auth_failure_burst=int(os.environ.get("NEDBRUD_AUTH_FAILURE_BURST", "20")),
            forwarded_allow_ips=os.environ.get("NEDBRUD_FORWARDED_ALLOW_IPS") or None,
            pseudonym_key=key.encode()
            if (key := os.environ.get("NEDBRUD_PSEUDONYM_KEY"))
            else None,
            service_database_url=os.environ.get("NEDBRUD_SERVICE_DATABASE_URL") or None,
            sealing_key=key.encode() if (key := os.environ.get("NEDBRUD_SEALING_KEY")) else None,
            checkpoint_dir=Path(d) if (d := os.environ.get("NEDBRUD_CHECKPOINT_DIR")) else None,
            checkpoint_interval_s=float(os.environ.get("NEDBRUD_CHECKPOINT_INTERVAL", "300")),
            rounds_interval_s=float(os.environ.get("NEDBRUD_ROUNDS_INTERVAL", "30")),
            webhook_allow_private=os.environ.get("NEDBRUD_WEBHOOK_ALLOW_PRIVATE") == "1",
            webhook_retry_base_s=float(os.environ.get("NEDBRUD_WEBHOOK_RETRY_BASE", "2")),
            webhook_retry_for_s=float(os.environ.get("NEDBRUD_WEBHOOK_RETRY_FOR", "86400")),
            public_url=(os.environ.get("NEDBRUD_PUBLIC_URL") or "").rstrip("/") or None,
        )
