"""Worker heartbeats: which process of a build works on what, as ``clm workers list`` shows.

A worker's heartbeat thread writes here every second on a connection of its
own; the build's history (clm.state.history) reads the rows.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from clm.state.counters import RUN_IN_PROGRESS
from clm.state.db import open_database


def open_existing(state_file: str, timeout: float) -> sqlite3.Connection | None:
    """A connection to the state file, or None; never creates a state file where none is."""
    try:
        return open_database(Path(state_file), timeout=timeout, existing=True)
    except sqlite3.Error:
        return None


def run_in_progress(connection: sqlite3.Connection) -> str | None:
    """The run the workspace's workers work for now (clm.state.counters records it)."""
    with contextlib.suppress(sqlite3.Error):
        row = connection.execute(
            "select value from meta where key = ?", (RUN_IN_PROGRESS,)
        ).fetchone()
        return None if row is None else row[0]
    return None


def beat(
    connection: sqlite3.Connection,
    pid: int,
    run: str | None,
    task: str | None,
    started: float,
    now: float,
) -> None:
    """Record that ``pid`` is alive and works on ``task``; a busy moment costs one beat."""
    with contextlib.suppress(sqlite3.Error):
        connection.execute(
            "insert into workers values (?, ?, ?, ?, ?) on conflict(pid) do update set "
            "run = excluded.run, task = excluded.task, heartbeat = excluded.heartbeat",
            (pid, run, task, started, now),
        )


def forget_worker(state_file: str, pid: int) -> None:
    """Drop the row of a worker that exits."""
    connection = open_existing(state_file, timeout=5)
    if connection is None:
        return
    with contextlib.suppress(sqlite3.Error):
        connection.execute("delete from workers where pid = ?", (pid,))
    connection.close()
