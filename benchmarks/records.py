"""What clm recorded about a build: its run row and its jobs, read from .clm/state.sqlite.

Read-only and from outside clm on purpose: the benchmark checks clm's own
account of a build (how many tasks ran, how long a deck's conversions took)
without importing the code it measures.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildRecord:
    run: int
    result: str | None
    executed: int
    failed: int
    uptodate: int
    # Every job of the run: task, status (ok, failed, not-rebuilt, running), seconds.
    jobs: tuple[tuple[str, str, float], ...]


def _connect(root: Path) -> sqlite3.Connection:
    state = root / ".clm" / "state.sqlite"
    return sqlite3.connect(f"{state.as_uri()}?mode=ro", uri=True)


def last_build(root: Path) -> BuildRecord:
    """The latest run recorded in the course at ``root``."""
    with closing(_connect(root)) as db:
        row = db.execute(
            "select id, result, executed, failed, uptodate from runs order by id desc limit 1"
        ).fetchone()
        if row is None:
            raise SystemExit(f"{root}: clm recorded no run")
        jobs = db.execute(
            "select task, status, coalesce(ended - started, 0) from jobs where run = ? order by id",
            (row[0],),
        ).fetchall()
    return BuildRecord(*row, jobs=tuple(jobs))


def deck_seconds(record: BuildRecord, deck: str) -> float:
    """How long the jobs of one deck (``deck`` relative to the course root) took, summed."""
    return sum(seconds for task, _, seconds in record.jobs if task.startswith(f"{deck}:"))


def rebuilt(record: BuildRecord) -> list[str]:
    """The tasks the run started: none, for a build in which nothing changed."""
    started = [task for task, status, _ in record.jobs if status != "not-rebuilt"]
    if record.executed + record.failed and not started:
        # doit counted tasks that clm's jobs table missed: name them by their count.
        started = [f"({record.executed} executed, {record.failed} failed: no job rows)"]
    return started
