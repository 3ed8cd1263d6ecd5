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
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from clm.state import lock
from clm.state.records import connection

KEEP_RUNS = 200
STALE_AFTER = 5.0  # a worker whose heartbeat is older is gone


def _db(state_file: Path | str) -> sqlite3.Connection:
    return connection(Path(state_file))


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs; a zombie (dead, not yet reaped by its parent) does not.

    Zombies matter: where init does not reap orphans promptly, a killed build's
    workers linger as zombies, and their kernels' scratch folders must go all the same.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return not Path("/proc").is_dir()  # gone meanwhile, or no /proc to ask
    return state != "Z"


def build_alive(pid: int, state_file: Path | str) -> bool:
    """Whether the build (or watcher) process ``pid`` of the course whose state is
    ``state_file`` still runs: the process lives and holds the course's build lock.

    A run that never recorded its end was killed (SIGKILL, a crash, a power cut)
    unless both hold; its pid may belong to another process by now.
    """
    if not pid_alive(pid):
        return False
    return lock.held_by(pid, Path(state_file).with_name(Path(lock.LOCK_FILE).name)) is not False


# -- runs ------------------------------------------------------------------------


def begin_run(state_file: Path | str, spec: str | None, command: list[str] | None = None) -> int:
    """Record a run as started; drops the oldest runs beyond KEEP_RUNS."""
    conn = _db(state_file)
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
        conn.execute("begin immediate")
        conn.execute("delete from jobs where run <= ?", (oldest,))
        conn.execute("delete from runs where id <= ?", (oldest,))
        conn.execute("commit")
    return run


def end_run(
    state_file: Path | str,
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
    _db(state_file).execute(
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


def _run(row, state_file: Path | str) -> Run:
    run_id, pid, command, spec, started, ended, result, executed, failed, uptodate, nr, ctr = row
    if result is None:
        result = "running" if build_alive(pid, state_file) else "interrupted"
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


def runs(state_file: Path | str, limit: int = 20) -> list[Run]:
    """The latest runs, newest first."""
    rows = _db(state_file).execute(
        f"select {_RUN_COLUMNS} from runs order by id desc limit ?", (limit,)
    )
    return [_run(row, state_file) for row in rows]


def last_spec(state_file: Path | str) -> str | None:
    """The spec the last run built, if the state knows one."""
    latest = runs(state_file, limit=1) if Path(state_file).is_file() else []
    return latest[0].spec if latest and latest[0].spec else None


def get_run(state_file: Path | str, run: int) -> Run | None:
    row = _db(state_file).execute(f"select {_RUN_COLUMNS} from runs where id = ?", (run,))
    found = row.fetchone()
    return _run(found, state_file) if found else None


# -- jobs ------------------------------------------------------------------------


def job_started(state_file: Path | str, run: int, task: str) -> int:
    cursor = _db(state_file).execute(
        "insert into jobs (run, task, status, started) values (?, ?, 'running', ?)",
        (run, task, time.time()),
    )
    return cursor.lastrowid


def job_finished(
    state_file: Path | str,
    job: int,
    status: str,
    *,
    from_cache: bool | None = None,
    error: str | None = None,
) -> None:
    _db(state_file).execute(
        "update jobs set status = ?, ended = ?, from_cache = ?, error = ? where id = ?",
        (status, time.time(), None if from_cache is None else int(from_cache), error, job),
    )


def job_not_rebuilt(state_file: Path | str, run: int, task: str, reason: str) -> None:
    _db(state_file).execute(
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


def _live_runs(conn, state_file: Path | str) -> set[int]:
    rows = conn.execute("select id, pid from runs where result is null").fetchall()
    return {run for run, pid in rows if build_alive(pid, state_file)}


def jobs(state_file: Path | str, run: int, *, failed_only: bool = False) -> list[Job]:
    conn = _db(state_file)
    query = (
        "select id, run, task, status, started, ended, from_cache, error from jobs where run = ?"
    )
    if failed_only:
        query += " and status = 'failed'"
    query += " order by id"
    live = _live_runs(conn, state_file)
    return [_job(row, live) for row in conn.execute(query, (run,))]


def get_job(state_file: Path | str, job: int) -> Job | None:
    conn = _db(state_file)
    row = conn.execute(
        "select id, run, task, status, started, ended, from_cache, error from jobs where id = ?",
        (job,),
    ).fetchone()
    return _job(row, _live_runs(conn, state_file)) if row else None


def cache_use(state_file: Path | str, last_runs: int = 20) -> tuple[int, int]:
    """(served from the cache, run for real) over the executions and renders of recent runs."""
    row = (
        _db(state_file)
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


def live_workers(state_file: Path | str) -> list[Worker]:
    """Workers with a recent heartbeat whose process still exists (a read, never a write)."""
    rows = _db(state_file).execute(
        "select pid, run, task, started, heartbeat from workers where heartbeat >= ? order by pid",
        (time.time() - STALE_AFTER,),
    )
    return [worker for worker in (Worker(*row) for row in rows) if pid_alive(worker.pid)]
