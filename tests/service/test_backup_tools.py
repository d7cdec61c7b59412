"""pg_dump and pg_restore are found by major version, and a missing one is said plainly."""

from __future__ import annotations

import pytest

from service.runtime.backup import BackupError, find_tool


def test_the_servers_own_major_version_is_taken_when_there_is_one() -> None:
    # The embedded PostgreSQL 16's package always brings its own.
    for name in ("pg_dump", "pg_restore"):
        tool = find_tool(name, 16, prefer=16)
        assert tool.major == 16
        assert tool.path.name == name


def test_no_tool_new_enough_is_an_error_that_says_what_to_install() -> None:
    with pytest.raises(BackupError, match=r"no pg_dump of PostgreSQL 99 or newer \(found: .*16"):
        find_tool("pg_dump", 99)
    with pytest.raises(BackupError, match="postgresql-client-99"):
        find_tool("pg_dump", 99)
