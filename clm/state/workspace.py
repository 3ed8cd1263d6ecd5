"""A course's ``.clm/`` folder: every path in it, and the connections to its files.

One frozen record made from the course root by whoever starts a run (the
session); everything that reads or writes the build's state or cache opens it
from here. Paths in task names and job records stay relative to the root
(``.clm/executed/…``), so the constants below spell them once.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from clm.state import db

FOLDER = ".clm"
EXECUTED = f"{FOLDER}/executed"  # executed notebooks, relative to the course root
RENDERS = f"{FOLDER}/renders"  # rendered diagrams, relative to the course root


_INSIDE = f"{FOLDER}/"


def is_intermediate(path: str) -> bool:
    """Whether a task path (relative to the course root) names a file under ``.clm/``."""
    return path.startswith(_INSIDE)


@dataclass(frozen=True)
class Workspace:
    """The state folder of the course at ``root`` (an absolute path)."""

    root: Path

    @classmethod
    def at(cls, root: str | Path) -> Workspace:
        return cls(Path(os.path.abspath(root)))

    @classmethod
    def of_state_file(cls, state_file: str | Path) -> Workspace:
        """The workspace whose state file doit was told to use (its ``dep_file``)."""
        return cls.at(Path(os.path.abspath(state_file)).parent.parent)

    @property
    def folder(self) -> Path:
        return self.root / FOLDER

    @property
    def state_file(self) -> Path:
        return self.folder / "state.sqlite"

    @property
    def cache_file(self) -> Path:
        return self.folder / "cache.sqlite"

    @property
    def lock_file(self) -> Path:
        return self.folder / "tasks.lock"

    def execution_lock(self, key: str) -> Path:
        """Held by the worker running the execution ``key``: another worker that needs
        the same code run waits, and then takes it from the results cache."""
        return self.folder / "running" / f"{key}.lock"

    def exists(self) -> bool:
        """Whether a build has left a state here (reports read only then)."""
        return self.state_file.is_file()

    def state(self) -> sqlite3.Connection:
        """This process's connection to the state file, made (with ``.clm/``) if missing."""
        return db.registered(self.state_file, self._open_state)

    def _open_state(self) -> sqlite3.Connection:
        self.make_folder()
        return db.open_state(self.state_file)

    def existing_state(self, timeout: float = db.BUSY_SECONDS) -> sqlite3.Connection | None:
        """A new connection of the caller's own to the state file; None where none is.

        Never creates a file: for readers that must not leave a ``.clm/`` behind and
        for threads that need a connection of their own (a heartbeat).
        """
        try:
            return db.open_database(self.state_file, timeout=timeout, existing=True)
        except sqlite3.Error:
            return None

    def make_folder(self) -> Path:
        """Create ``.clm/`` with a .gitignore, so the state never ends up in the course's git."""
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
        return self.folder
