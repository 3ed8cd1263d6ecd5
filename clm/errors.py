"""Errors that point the course author at a file and a line."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path


class CourseError(Exception):
    """Bad input: a spec, a deck or a folder that clm cannot build from.

    The message reads like a compiler diagnostic (``file:line: what was wrong``)
    so editors and terminals can jump to it.
    """

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class CourseErrors(Exception):
    """Several independent problems found in one pass, reported together."""

    def __init__(self, errors: list[CourseError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class DiskFull(CourseError):
    """A file could not be written because its file system is full: the build stops."""

    def __init__(self, path: Path | str, doing: str = "cannot write this file"):
        super().__init__(
            f"{doing}: no space left on its file system; free some space there and build again",
            Path(path).absolute(),
        )


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` says a file system is full (or a quota is used up)."""
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
