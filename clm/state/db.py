"""Opening clm's SQLite files: the settings, the one connection registry, transactions.

The state (``.clm/state.sqlite``, shared by doit and the workers) and the
results cache (``.clm/cache.sqlite``) are opened here, with their schemas from
clm.state.schema; clm.state.workspace says where they are. WAL lets one writer
work beside many readers, so worker processes can record what they wrote while
the doit process commits each finished task.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from clm.errors import CourseError
from clm.state.schema import STATE_SCHEMA

# What the rest of clm catches or names of SQLite, without importing it.
Connection = sqlite3.Connection
DatabaseError = sqlite3.DatabaseError
StateError = sqlite3.Error  # any failure of SQLite: locked, full, damaged


class UnreadableStateError(CourseError):
    """The state file exists but SQLite cannot read it (damaged, or not clm's)."""


BUSY_SECONDS = 60.0  # how long a writer waits for another (a commit takes milliseconds)


def open_database(
    path: Path, *, timeout: float = BUSY_SECONDS, existing: bool = False
) -> sqlite3.Connection:
    """A connection with the settings of every clm database: the state and the cache.

    Autocommit (clm opens its transactions itself, ``begin immediate``), WAL so
    that one writer works beside many readers (the workers), and synchronous
    ``normal``, which WAL keeps safe against a crash of the process. With
    ``existing`` a missing file is an error instead of being created.
    """
    target = f"{path.absolute().as_uri()}?mode=rw" if existing else str(path)
    connection = sqlite3.connect(
        target, uri=existing, timeout=timeout, isolation_level=None, check_same_thread=False
    )
    try:
        connection.execute("pragma journal_mode=wal")
        connection.execute("pragma synchronous=normal")
        connection.execute(f"pragma busy_timeout={int(timeout * 1000)}")
    except BaseException:
        connection.close()
        raise
    return connection


# This process's connections, one per file. Keyed by process too: a forked child
# must open its own rather than use the SQLite handle of its parent.
_connections: dict[tuple[int, Path], sqlite3.Connection] = {}


def registered(path: Path, open_: Callable[[], sqlite3.Connection]) -> sqlite3.Connection:
    """This process's connection to ``path``, opened by ``open_`` the first time."""
    key = (os.getpid(), path)
    connection = _connections.get(key)
    if connection is None:
        connection = _connections[key] = open_()
    return connection


def unregister(path: Path) -> sqlite3.Connection | None:
    """Forget this process's connection to ``path`` (the caller closes it)."""
    return _connections.pop((os.getpid(), path), None)


@contextlib.contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: committed at the end of the block, rolled back on an error."""
    connection.execute("begin immediate")
    try:
        yield connection
    except BaseException:
        if connection.in_transaction:  # SQLite rolls back by itself after some errors
            connection.execute("rollback")
        raise
    connection.execute("commit")


def open_state(path: Path) -> sqlite3.Connection:
    """A new connection to the state file at ``path``, its tables made if missing."""
    try:
        connection = open_database(path)
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        raise unreadable_state(path, error) from None
    try:
        connection.executescript(STATE_SCHEMA)
    except sqlite3.DatabaseError as error:
        connection.close()
        if not is_damage(error):
            raise  # locked, disk full, read-only: not the file's fault
        raise unreadable_state(path, error) from None
    return connection


def is_damage(error: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file itself is bad (as opposed to locked, full, read-only)."""
    return getattr(error, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def unreadable_state(path: Path, error: BaseException) -> UnreadableStateError:
    """The message for a damaged state file: what it is, what resetting it costs."""
    shown = shown_path(path)
    return UnreadableStateError(
        f"the build state cannot be read ({error}). It only records what earlier builds "
        f"did: reset it with `rm {shown}*` and build again (every task runs once more; "
        "executions still come from the cache)",
        shown,
    )


def shown_path(path: Path) -> str:
    """A path as the author knows it: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
