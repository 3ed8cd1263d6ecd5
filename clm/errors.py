"""Errors that point the course author at a file and a line."""

from __future__ import annotations

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
