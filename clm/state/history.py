"""The build history in the state file: runs, the jobs they executed, live workers.

Written by the doit process (its reporter) and by the watcher, read by
``clm status``, ``clm jobs`` and ``clm workers``. Each row is written in its own
transaction as it happens, so a build killed at any moment leaves a history
that says how far it got. Tasks found up to date are only counted per run: a
no-op of a thousand decks costs two writes, not twenty thousand.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from clm.state import lock
from clm.state.db import transaction
from clm.state.workspace import Workspace
from clm.system.processes import pid_alive

KEEP_RUNS = 200
STALE_AFTER = 5.0  # a worker whose heartbeat is older is gone


def build_alive(pid: int, workspace: Workspace) -> bool:
    """Whether the build (or watcher) process ``pid`` of the course in ``workspace``
    still runs: the process lives and holds the course's build lock.

    A run that never recorded its end was killed (SIGKILL, a crash, a power cut)
    unless both hold; its pid may belong to another process by now.
    """
    if not pid_alive(pid):
        return False
    return lock.held_by(pid, workspace.lock_file)


# -- runs ------------------------------------------------------------------------


def begin_run(workspace: Workspace, spec: str | None, command: list[str] | None = None) -> int:
    """Record a run as started; drops the oldest runs beyond KEEP_RUNS."""
    conn = workspace.state()
    argv = command if command is not None else [Path(sys.argv[0]).name, *sys.argv[1:]]
    cursor = conn.execute(
        "insert into runs (pid, command, spec, started) values (?, ?, ?, ?)",
        (os.getpid(), json.dumps(argv), spec, time.time()),
    )
    run = cursor.lastrowid
    # Workers of killed builds could not say goodbye.
    conn.execute("delete from workers where heartbeat < ?", (time.time() - STALE_AFTER,))
    oldest = run - KEEP_RUNS
    if oldest > 0 and run % 20 == 0:  # now and then, not on every build
        with transaction(conn):
            conn.execute("delete from jobs where run <= ?", (oldest,))
            conn.execute("delete from runs where id <= ?", (oldest,))
    return run


def end_run(
    workspace: Workspace,
    run: int,
    *,
    executed: int,
    failed: int,
    uptodate: int,
    not_rebuilt: int,
    counters: dict[str, int],
    interrupted: bool = False,
) -> None:
    """Record how a run ended; ``interrupted`` for one stopped early (Ctrl-C, an error).

    A stopped run records its end itself: its process lives on for a moment, so
    its result cannot be told from a dead pid.
    """
    result = "interrupted" if interrupted else "failed" if failed else "ok"
    workspace.state().execute(
        "update runs set ended = ?, result = ?, executed = ?, failed = ?, uptodate = ?, "
        "not_rebuilt = ?, counters = ? where id = ?",
        (
            time.time(),
            result,
            executed,
            failed,
            uptodate,
            not_rebuilt,
            json.dumps(counters, sort_keys=True),
            run,
        ),
    )


@dataclass(frozen=True)
class Run:
    id: int
    pid: int
    command: list[str]
    spec: str | None
    started: float
    ended: float | None
    result: str  # ok | failed | running | interrupted
    executed: int
    failed: int
    uptodate: int
    not_rebuilt: int
    counters: dict[str, int]


def _run(row, workspace: Workspace) -> Run:
    run_id, pid, command, spec, started, ended, result, executed, failed, uptodate, nr, ctr = row
    if result is None:
        result = "running" if build_alive(pid, workspace) else "interrupted"
    return Run(
        run_id,
        pid,
        json.loads(command),
        spec,
        started,
        ended,
        result,
        executed,
        failed,
        uptodate,
        nr,
        json.loads(ctr) if ctr else {},
    )


_RUN_COLUMNS = (
    "id, pid, command, spec, started, ended, result, executed, failed, uptodate, not_rebuilt, "
    "counters"
)


def runs(workspace: Workspace, limit: int = 20) -> list[Run]:
    """The latest runs, newest first."""
    rows = workspace.state().execute(
        f"select {_RUN_COLUMNS} from runs order by id desc limit ?", (limit,)
    )
    return [_run(row, workspace) for row in rows]


def last_spec(workspace: Workspace) -> str | None:
    """The spec the last run built, if the state knows one."""
    latest = runs(workspace, limit=1) if workspace.exists() else []
    return latest[0].spec if latest and latest[0].spec else None


def get_run(workspace: Workspace, run: int) -> Run | None:
    row = workspace.state().execute(f"select {_RUN_COLUMNS} from runs where id = ?", (run,))
    found = row.fetchone()
    return _run(found, workspace) if found else None


# -- jobs ------------------------------------------------------------------------


def job_started(workspace: Workspace, run: int, task: str) -> int:
    cursor = workspace.state().execute(
        "insert into jobs (run, task, status, started) values (?, ?, 'running', ?)",
        (run, task, time.time()),
    )
    return cursor.lastrowid


def job_finished(
    workspace: Workspace,
    job: int,
    status: str,
    *,
    from_cache: bool | None = None,
    error: str | None = None,
) -> None:
    workspace.state().execute(
        "update jobs set status = ?, ended = ?, from_cache = ?, error = ? where id = ?",
        (status, time.time(), None if from_cache is None else int(from_cache), error, job),
    )


def job_not_rebuilt(workspace: Workspace, run: int, task: str, reason: str) -> None:
    workspace.state().execute(
        "insert into jobs (run, task, status, error) values (?, ?, 'not-rebuilt', ?)",
        (run, task, reason),
    )


@dataclass(frozen=True)
class Job:
    id: int
    run: int
    task: str
    status: str  # running | ok | failed | not-rebuilt (running of a dead run: interrupted)
    started: float | None
    ended: float | None
    from_cache: bool | None
    error: str | None

    @property
    def duration(self) -> float | None:
        if self.started is None or self.ended is None:
            return None
        return self.ended - self.started


def _job(row, live_runs: set[int]) -> Job:
    job_id, run, task, status, started, ended, from_cache, error = row
    if status == "running" and run not in live_runs:
        status = "interrupted"
    return Job(
        job_id, run, task, status, started, ended, None if from_cache is None else bool(from_cache),
        error,
    )  # fmt: skip


def _live_runs(conn, workspace: Workspace) -> set[int]:
    rows = conn.execute("select id, pid from runs where result is null").fetchall()
    return {run for run, pid in rows if build_alive(pid, workspace)}


def jobs(workspace: Workspace, run: int, *, failed_only: bool = False) -> list[Job]:
    conn = workspace.state()
    query = (
        "select id, run, task, status, started, ended, from_cache, error from jobs where run = ?"
    )
    if failed_only:
        query += " and status = 'failed'"
    query += " order by id"
    live = _live_runs(conn, workspace)
    return [_job(row, live) for row in conn.execute(query, (run,))]


def get_job(workspace: Workspace, job: int) -> Job | None:
    conn = workspace.state()
    row = conn.execute(
        "select id, run, task, status, started, ended, from_cache, error from jobs where id = ?",
        (job,),
    ).fetchone()
    return _job(row, _live_runs(conn, workspace)) if row else None


def cache_use(workspace: Workspace, last_runs: int = 20) -> tuple[int, int]:
    """(served from the cache, run for real) over the executions and renders of recent runs."""
    row = (
        workspace.state()
        .execute(
            "select coalesce(sum(from_cache = 1), 0), coalesce(sum(from_cache = 0), 0) from jobs "
            "where run > (select coalesce(max(id), 0) from runs) - ? and from_cache is not null",
            (last_runs,),
        )
        .fetchone()
    )
    return int(row[0]), int(row[1])


# -- workers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Worker:
    pid: int
    run: int | None
    task: str | None
    started: float
    heartbeat: float


def live_workers(workspace: Workspace) -> list[Worker]:
    """Workers with a recent heartbeat whose process still exists (a read, never a write)."""
    rows = workspace.state().execute(
        "select pid, run, task, started, heartbeat from workers where heartbeat >= ? order by pid",
        (time.time() - STALE_AFTER,),
    )
    return [worker for worker in (Worker(*row) for row in rows) if pid_alive(worker.pid)]
