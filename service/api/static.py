"""The dashboard's static files: a path no file can have is a 404, never a 500.

Litestar's local file system lets the operating system's refusal of a name escape: a NUL byte
(`/dashboard/app.js%00.html`) is a ValueError and a name longer than the file system allows is
an OSError, both answered 500 without a key. Such a path names no file, so it is "not found".
"""

from __future__ import annotations

import errno
from typing import Any

from litestar.file_system import BaseLocalFileSystem
from litestar.types import PathType
from litestar.types.file_types import FileInfo

NO_SUCH_NAME = {errno.ENAMETOOLONG, errno.ENOTDIR, errno.ELOOP, errno.EINVAL}


class DashboardFiles(BaseLocalFileSystem):
    """The local files, where a name the system refuses is a file that does not exist."""

    async def info(self, path: PathType, **kwargs: Any) -> FileInfo:
        if "\x00" in str(path):
            raise FileNotFoundError(errno.ENOENT, "no such file")
        try:
            return await super().info(path, **kwargs)
        except ValueError:
            raise FileNotFoundError(errno.ENOENT, "no such file") from None
        except OSError as exc:
            if exc.errno in NO_SUCH_NAME:
                raise FileNotFoundError(errno.ENOENT, "no such file") from None
            raise
