"""`nedbrud`: serve the API, run migrations, verify the log, write the OpenAPI document."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import re
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import asyncpg
import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from service.access.auth import (
    Role,
    bootstrap_admin_key,
    bootstrap_key_problem,
    issue_key,
    list_keys,
    revoke_key,
)
from service.log import failover
from service.log.chain import verify_chain
from service.log.checkpoints import (
    SIGNING_KEY_FILE,
    ReceiptIn,
    check_checkpoint,
    latest_checkpoint,
    load_or_create_signing_key,
    make_checkpoint,
    public_key_from_text,
    verify_receipts,
    write_checkpoint,
)
from service.log.migrate import migrate
from service.log.vault import forget
from service.read.projections import PROJECTIONS
from service.runtime import progress
from service.runtime.collector import tune_collector
from service.runtime.embedded import start_embedded
from service.runtime.logs import configure as configure_logging
from service.runtime.settings import Settings
from service.write.citizens import REF_PATTERN

PROJECTION_NAMES = tuple(PROJECTIONS)
OPENAPI_PATH = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def database_url(settings: Settings) -> str:
    """DATABASE_URL when set; else the embedded PostgreSQL under NEDBRUD_DATA_DIR, started now.
    Either is migrated first, so that `keys create` before the first `serve` finds its tables."""
    url = settings.database_url or start_embedded(settings.data_dir)[0]
    migrate(url)
    return url


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[asyncpg.Connection]:
    """One connection as the owner, for a command's few statements."""
    conn = await failover.connect(url)
    try:
        yield conn
    finally:
        await conn.close()


async def _bootstrap(url: str, given: str | None) -> str | None:
    async with connected(url) as conn:
        return await bootstrap_admin_key(conn, given)


def _exit_cleanly(signum: int, _frame: FrameType | None) -> None:
    # uvicorn re-raises SIGTERM/SIGINT after its graceful shutdown: exit through atexit so the
    # embedded PostgreSQL is stopped too.
    sys.exit(128 + signum if signum != signal.SIGTERM else 0)


def serve(host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    from service.app import create_app

    configure_logging()
    settings = Settings.from_env()
    if problem := bootstrap_key_problem(settings.bootstrap_key):
        print(f"nedbrud serve: {problem}", file=sys.stderr, flush=True)
        sys.exit(2)
    url = database_url(settings)
    if key := asyncio.run(_bootstrap(url, settings.bootstrap_key)):
        print(f"New admin API key (shown only this once): {key}", flush=True)
    if workers == 1:  # with workers, uvicorn's supervisor handles the signals and exits itself
        signal.signal(signal.SIGTERM, _exit_cleanly)
        signal.signal(signal.SIGINT, _exit_cleanly)
    if workers > 1:
        # Each worker process builds its own app (pool, appender, notifier, projectors) from the
        # environment; they share the database, its ordering lock and the projectors' leases.
        os.environ["DATABASE_URL"] = url
        target: Any = "service.app:app_from_env"
    else:
        target = create_app(dataclasses.replace(settings, database_url=url), serving=True)
    uvicorn.run(
        target,
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        log_config=None,  # keep the JSON lines set up above
        access_log=False,  # requests are logged by route template in service.api.edge
        timeout_graceful_shutdown=5,
        # The client's address (for the failed-key limit) is the connection's own, unless a
        # reverse proxy is named: otherwise anyone could choose it with X-Forwarded-For.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
    )


def trusted_key(settings: Settings, given: str | None) -> Ed25519PublicKey | None:
    """The public key checkpoints must be signed with: given, or the data directory's signer."""
    if given:
        return public_key_from_text(given)
    if (settings.data_dir / SIGNING_KEY_FILE).exists():
        return load_or_create_signing_key(settings.data_dir).public_key()
    return None


async def _verify(url: str, settings: Settings, args: argparse.Namespace) -> dict[str, Any]:
    """The chain from the first row, the latest checkpoint, and any receipts given."""
    directory = args.checkpoints or settings.checkpoints()
    trusted = trusted_key(settings, args.public_key)
    latest = latest_checkpoint(directory)
    async with connected(url) as conn, conn.transaction(readonly=True, isolation="repeatable_read"):
        head = int(await conn.fetchval("SELECT coalesce(max(position), 0) FROM events"))
        with progress.step("verify", head, "events") as told:
            checked = await verify_chain(conn, progress=told)
            told(checked.checked)
        result: dict[str, Any] = dataclasses.asdict(checked)
        if latest is not None and trusted is not None:
            check = await check_checkpoint(conn, latest, trusted)
            result["checkpoint"] = dataclasses.asdict(check)
            result["ok"] = result["ok"] and check.ok
        else:
            result["checkpoint"] = None
            missing = "no checkpoint in " + str(directory) if latest is None else "no key"
            print(
                f"warning: {missing}: a removed tail or a rewritten chain cannot be detected",
                file=sys.stderr,
            )
        if args.receipts is not None:
            receipts = [
                msgspec.json.decode(line, type=ReceiptIn)
                for line in args.receipts.read_bytes().splitlines()
                if line.strip()
            ]
            found = await verify_receipts(conn, receipts)
            result["receipts"] = {
                "checked": found.checked,
                "bad": [str(b) for b in found.bad],
            }
            result["ok"] = result["ok"] and not found.bad
    return result


async def _checkpoint(url: str, settings: Settings, directory: Path) -> dict[str, Any]:
    key = load_or_create_signing_key(settings.data_dir)
    async with connected(url) as conn:
        checkpoint = await make_checkpoint(conn, key)
    if checkpoint is None:
        return {"written": None, "reason": "the log is empty"}
    path = write_checkpoint(directory, checkpoint)
    written: dict[str, Any] = {"written": str(path)}
    return written | msgspec.structs.asdict(checkpoint)


async def _forget(url: str, citizen_ref: str) -> bool:
    async with connected(url) as conn:
        return await forget(conn, citizen_ref)


async def _rebuild(url: str, names: list[str]) -> list[dict[str, object]]:
    from service.read.projector import rebuild

    tune_collector()

    results = []
    for name in names:
        with progress.step(f"rebuild {name}", None, "events") as told:
            result = await rebuild(url, PROJECTIONS[name], progress=told)
        results.append(
            {
                "projection": name,
                "events": result.facts,
                "seconds": round(result.seconds, 3),
                "events_per_second": round(result.rate),
            }
        )
    return results


async def _keys(url: str, args: argparse.Namespace) -> int:
    async with connected(url) as conn:
        if args.action == "create":
            units = args.unit or None
            issued = await issue_key(conn, Role(args.role), args.label, units)
            created = {
                "key_id": str(issued.key_id),
                "role": args.role,
                "units": units,
                "key": issued.key,
            }
            print(json.dumps(created))
            print("The key is shown only this once; store it now.", file=sys.stderr)
            return 0
        if args.action == "list":
            for info in await list_keys(conn):
                state = f"revoked {info.revoked_at:%Y-%m-%d}" if info.revoked_at else "active"
                print(
                    f"{info.key_id}  {info.role:<8} "
                    f"{','.join(info.units) if info.units else '(alle enheder)':<30} "
                    f"{info.created_at:%Y-%m-%d}  "
                    f"{state:<18}"
                    f"  {info.label}"
                )
            return 0
        revoked = await revoke_key(conn, args.key_id)
        print("revoked" if revoked else "no active key with that id", file=sys.stderr)
        return 0 if revoked else 1


def _backup(settings: Settings, directory: Path) -> dict[str, Any]:
    from service.runtime.backup import backup

    url = database_url(settings)
    return asyncio.run(
        backup(url, directory, settings.data_dir, settings.checkpoints(), progress.step)
    )


def _restore(settings: Settings, directory: Path) -> dict[str, Any]:
    """Into DATABASE_URL's (or the embedded) database, which must be empty: not migrated first,
    since the backup brings its own schema and migration version."""
    from service.runtime.backup import restore

    url = settings.database_url or start_embedded(settings.data_dir)[0]

    async def rebuild_all() -> list[dict[str, object]]:
        return await _rebuild(url, list(PROJECTION_NAMES))

    return asyncio.run(restore(url, directory, settings.checkpoints(), progress.step, rebuild_all))


# The Python client's wire types, generated from the document by datamodel-code-generator (a
# development dependency): the one generated file outside openapi/.
CLIENT_WIRE_PATH = (
    Path(__file__).resolve().parent.parent / "clients" / "python" / "nedbrud_client" / "wire.py"
)
CLIENT_WIRE_HEADER = (
    "# Generated from openapi/openapi.json by datamodel-code-generator: do not edit; "
    "`uv run nedbrud openapi` writes it."
)
CLIENT_WIRE_OPTIONS = (
    "--input-file-type=openapi",
    # The paths too: the body of recordIncidentStep is the union of the steps, named after it.
    "--openapi-scopes",
    "schemas",
    "paths",
    "--use-operation-id-as-name",
    "--output-model-type=msgspec.Struct",
    "--target-python-version=3.11",
    "--use-annotated",
    "--enum-field-as-literal=all",
    "--use-standard-collections",
    "--use-union-operator",
    # Times (format date-time) as datetime, dates as date, ids (format uuid) as UUID.
    "--use-standard-primitive-types",
    "--output-datetime-class=datetime",
    "--use-msgspec-tagged-unions",
    # msgspec decodes no union of untagged Structs, and the document's citizen is one: the
    # client's own CitizenIn (both shapes' fields in one Struct) takes its place.
    '--type-overrides={"CitizenIn": "nedbrud_client.citizen.CitizenIn"}',
    "--keyword-only",
    "--use-schema-description",
    "--disable-timestamp",
    "--formatters=builtin",
    f"--custom-file-header={CLIENT_WIRE_HEADER}",
)


def write_openapi(path: Path) -> None:
    from service.app import create_app

    schema = create_app(Settings(database_url=None, data_dir=Path(), bootstrap_key=None))
    text = json.dumps(schema.openapi_schema.to_schema(), indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


def write_client_wire(document: Path, path: Path) -> None:
    """Generate the client's msgspec Structs from `document` into `path`."""
    import subprocess

    subprocess.run(
        [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            f"--input={document}",
            *CLIENT_WIRE_OPTIONS,
            f"--output={path}",
        ],
        check=True,
        capture_output=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="nedbrud", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="run the API (embedded PostgreSQL by default)")
    serve_cmd.add_argument("--host", default="127.0.0.1")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument(
        "--workers", type=int, default=1, help="worker processes (each a full instance)"
    )
    commands.add_parser("migrate", help="bring the database schema up to date")
    verify_cmd = commands.add_parser(
        "verify",
        help="recompute the hash chain and compare the latest signed checkpoint; exit 1 when "
        "either does not hold",
    )
    verify_cmd.add_argument(
        "--checkpoints",
        type=Path,
        help="where the checkpoints are (default: NEDBRUD_CHECKPOINT_DIR)",
    )
    verify_cmd.add_argument(
        "--public-key", help="the signer's Ed25519 public key, hex (default: the data directory's)"
    )
    verify_cmd.add_argument(
        "--receipts", type=Path, help="a file of receipts, one JSON object a line, to check too"
    )
    checkpoint_cmd = commands.add_parser(
        "checkpoint", help="sign the head of the log now and write it to the checkpoint folder"
    )
    checkpoint_cmd.add_argument("--output", type=Path, help="default: NEDBRUD_CHECKPOINT_DIR")
    forget_cmd = commands.add_parser(
        "forget",
        help="delete a citizen's key: their CPR number, name and records' details are erased "
        "for good (crypto-shredding); the log still verifies",
    )
    forget_cmd.add_argument("citizen_ref")
    keys_cmd = commands.add_parser("keys", help="create, list and revoke API keys")
    key_actions = keys_cmd.add_subparsers(dest="action", required=True)
    create_cmd = key_actions.add_parser("create", help="make a key; it is printed only once")
    create_cmd.add_argument("--role", required=True, choices=[r.value for r in Role])
    create_cmd.add_argument(
        "--unit", action="append", help="a unit the key may act for (repeat; default: all)"
    )
    create_cmd.add_argument("--label", required=True, help="who or what holds it")
    key_actions.add_parser("list", help="every key: id, role, units, state, label")
    revoke_cmd = key_actions.add_parser("revoke", help="revoke a key at once")
    revoke_cmd.add_argument("key_id", type=uuid.UUID)
    rebuild_cmd = commands.add_parser(
        "rebuild", help="drop projections and rebuild them from the log"
    )
    rebuild_cmd.add_argument(
        "projection", nargs="*", help="situation, back-entry or readiness (default: all three)"
    )
    backup_cmd = commands.add_parser(
        "backup",
        help="dump the log, keyring and checkpoints at one moment into a new directory "
        "(pg_dump -Fd); never the sealing key",
    )
    backup_cmd.add_argument("directory", type=Path)
    restore_cmd = commands.add_parser(
        "restore",
        help="load a backup into an empty database (pg_restore, one transaction) and rebuild "
        "the projections; then run `nedbrud verify`",
    )
    restore_cmd.add_argument("directory", type=Path)
    openapi_cmd = commands.add_parser(
        "openapi", help="write openapi/openapi.json and the Python client's wire types from it"
    )
    openapi_cmd.add_argument("--output", type=Path, default=OPENAPI_PATH)
    openapi_cmd.add_argument(
        "--wire-output",
        type=Path,
        default=CLIENT_WIRE_PATH,
        help="the Python client's wire types, generated from the document",
    )
    args = parser.parse_args(argv)

    if args.command == "serve":
        serve(args.host, args.port, args.workers)
    elif args.command == "migrate":
        database_url(Settings.from_env())  # starts (if embedded) and migrates
    elif args.command == "verify":
        settings = Settings.from_env()
        result = asyncio.run(_verify(database_url(settings), settings, args))
        print(json.dumps(result))
        return 0 if result["ok"] else 1
    elif args.command == "checkpoint":
        settings = Settings.from_env()
        directory = args.output or settings.checkpoints()
        print(json.dumps(asyncio.run(_checkpoint(database_url(settings), settings, directory))))
    elif args.command == "forget":
        if not re.search(REF_PATTERN, args.citizen_ref):
            parser.error("citizen_ref must look like cit_ followed by 24 letters a-z and 2-7")
        forgotten = asyncio.run(_forget(database_url(Settings.from_env()), args.citizen_ref))
        print(json.dumps({"citizen_ref": args.citizen_ref, "forgotten": forgotten}))
        if not forgotten:
            print(
                "no key for that citizen_ref: nothing sealed under it, or already forgotten",
                file=sys.stderr,
            )
        return 0 if forgotten else 1
    elif args.command == "keys":
        return asyncio.run(_keys(database_url(Settings.from_env()), args))
    elif args.command == "rebuild":
        names = args.projection or list(PROJECTION_NAMES)
        if unknown := set(names) - set(PROJECTION_NAMES):
            parser.error(
                f"unknown projection {sorted(unknown)[0]!r}; choose from {PROJECTION_NAMES}"
            )
        for line in asyncio.run(_rebuild(database_url(Settings.from_env()), names)):
            print(json.dumps(line))
    elif args.command in ("backup", "restore"):
        from service.runtime.backup import BackupError

        settings = Settings.from_env()
        try:
            if args.command == "backup":
                summary = _backup(settings, args.directory)
            else:
                summary = _restore(settings, args.directory)
        except BackupError as exc:
            print(f"nedbrud {args.command}: {exc}", file=sys.stderr)
            return 1
        print(json.dumps(summary))
    elif args.command == "openapi":
        write_openapi(args.output)
        write_client_wire(args.output, args.wire_output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
