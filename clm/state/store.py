"""Content hashes of source files, memoised in the state by (size, mtime).

Every file is hashed once per change, however many tasks depend on it and
however often doit asks: after a ``touch`` the first run re-hashes, finds the
same content, and records the new mtime so the next run does not hash again.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from pathlib import Path

from clm.state.db import open_state, transaction
from clm.state.schema import STATE_SCHEMA
from clm.state.workspace import Workspace, is_intermediate


def file_md5(path: str | Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class StateStore:
    """The open state file of one course, as the doit process sees it."""

    def __init__(self, path: Path, connection: sqlite3.Connection | None = None):
        self.path = path
        # A connection of the store's own: its transactions span several statements.
        self.connection: sqlite3.Connection = connection or open_state(path)
        self._hashes: dict[str, tuple[int, int, str]] | None = None
        self._new_hashes: dict[str, tuple[int, int, str]] = {}
        self._lock = threading.Lock()

    def _load_hashes(self) -> dict[str, tuple[int, int, str]]:
        if self._hashes is None:
            rows = self.connection.execute("select path, size, mtime_ns, md5 from file_hashes")
            self._hashes = {path: (size, mtime, md5) for path, size, mtime, md5 in rows}
        return self._hashes

    def md5(self, path: str, stat: os.stat_result | None = None) -> str:
        if stat is None:
            stat = os.stat(path)
        hashes = self._load_hashes()
        known = hashes.get(path)
        if known is not None and known[0] == stat.st_size and known[1] == stat.st_mtime_ns:
            return known[2]
        entry = (stat.st_size, stat.st_mtime_ns, file_md5(path))
        with self._lock:
            hashes[path] = entry
            self._new_hashes[path] = entry
        return entry[2]

    def reload_hashes(self) -> None:
        with self._lock:
            self._hashes = None

    def has_new_hashes(self) -> bool:
        return bool(self._new_hashes)

    def flush_hashes(self) -> None:
        """Write newly computed hashes; called inside the caller's transaction."""
        with self._lock:
            pending, self._new_hashes = self._new_hashes, {}
        if pending:
            self.connection.executemany(
                "insert or replace into file_hashes values (?, ?, ?, ?)",
                [(path, *entry) for path, entry in pending.items()],
            )

    def close(self) -> None:
        with transaction(self.connection):
            self.flush_hashes()
        self.connection.close()


def reading_store(workspace: Workspace) -> StateStore:
    """A store that reads the hashes a state keeps (none if there is no state) and writes
    nothing: for planning that must leave no trace (``clm plan``, ``doit list``)."""
    connection = workspace.existing_state() if workspace.exists() else None
    if connection is None:
        connection = sqlite3.connect(":memory:", check_same_thread=False)
        connection.executescript(STATE_SCHEMA)
    return StateStore(workspace.state_file, connection)


def sources_changed(workspace: Workspace) -> int:
    """Sources whose size or mtime differ from when a build last hashed them (a stat each)."""
    changed = 0
    rows = workspace.state().execute("select path, size, mtime_ns from file_hashes")
    for path, size, mtime in rows:
        if is_intermediate(path):
            continue
        try:
            stat = os.stat(workspace.root / path)
        except OSError:
            changed += 1
            continue
        if stat.st_size != size or stat.st_mtime_ns != mtime:
            changed += 1
    return changed
