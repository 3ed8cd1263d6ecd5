"""Errors that point the course author at a file and a line."""

from __future__ import annotations

import errno
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


class DiskFull(CourseError):
    """A file could not be written because its file system is full: the build stops."""

    def __init__(self, path: Path | str, doing: str = "cannot write this file"):
        super().__init__(
            f"{doing}: no space left on its file system; free some space there and build again",
            Path(path).absolute(),
        )


class NotWritable(CourseError):
    """A folder refuses a write or a removal (read-only, not ours): that output fails."""

    def __init__(self, folder: Path | str, error: OSError, doing: str = "cannot write into it"):
        reason = (
            "its file system is mounted read-only"
            if error.errno == errno.EROFS
            else "permission denied"
        )
        super().__init__(
            f"{doing}: {reason}; make the folder writable for this user (chmod u+w, or mount "
            "it read-write) or choose another output folder in the spec, then build again",
            Path(folder).absolute(),
        )


def is_not_writable(error: BaseException) -> bool:
    """Whether ``error`` says a folder or file refuses to be written (not: is full)."""
    return isinstance(error, OSError) and error.errno in (errno.EACCES, errno.EPERM, errno.EROFS)


def is_disk_full(error: BaseException) -> bool:
    """Whether ``error`` says a file system is full (or a quota is used up)."""
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    return getattr(error, "sqlite_errorname", None) == "SQLITE_FULL"
