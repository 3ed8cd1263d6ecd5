"""One run's bookkeeping: the build lock, the run and job rows of the history, the counters.

doit's reporter (clm.tasks.reporter) and the watcher (clm.watch.engine) both
keep their books through a ``RunBook``, so that ``clm status``, ``clm jobs``
and the closing summary read the same records whichever of them ran.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from clm.state import counters, history, lock
from clm.state.db import StateError
from clm.state.workspace import Workspace


class RunBook:
    """The books of one run, kept in the state file from begin() to end()."""

    def __init__(self, say: Callable[[str], None], workspace: Workspace):
        self.say = say  # how a wait for another build is announced
        self.workspace = workspace
        self.run: int | None = None
        self.locked = False
        self._jobs: dict[str, int] = {}

    def lock(self) -> bool:
        """Wait for another build of the course, then hold the lock (False: held already)."""
        self.locked = lock.acquire(self.workspace.lock_file, say=self.say)
        return self.locked

    def begin(self, spec: str | None, command: list[str] | None = None) -> int:
        """Record the run as started; workers forked from now on count into it."""
        self.run = history.begin_run(self.workspace, spec, command)
        self._jobs.clear()
        counters.start_run(self.workspace, str(self.run))
        return self.run

    def go_on(self, spec: str | None) -> int:
        """Take over the run this process began before doit started (the cluster
        pre-pass of clm.tasks.cluster_fill), or begin one: a build is one run however it ends."""
        begun = counters.run_in_progress(self.workspace) or ""
        earlier = history.get_run(self.workspace, int(begun)) if begun.isdigit() else None
        if earlier is None or earlier.pid != os.getpid() or earlier.ended is not None:
            return self.begin(spec)
        self.run = earlier.id
        self._jobs.clear()
        counters.start_run(self.workspace, str(self.run))  # counts the pre-pass carried
        return self.run

    def started(self, task: str) -> None:
        self._jobs[task] = history.job_started(self.workspace, self.run, task)

    def succeeded(self, task: str, from_cache: bool | None = None) -> None:
        job = self._jobs.pop(task, None)
        if job is not None:
            history.job_finished(self.workspace, job, "ok", from_cache=from_cache)

    def failed(self, task: str, error: str) -> None:
        """A task failed; one that failed before it started (a missing input) gets a row too."""
        job = self._jobs.pop(task, None)
        if job is None:
            job = history.job_started(self.workspace, self.run, task)
        history.job_finished(self.workspace, job, "failed", error=error)

    def not_rebuilt(self, task: str, reason: str) -> None:
        """A task held back by a failure it depends on: its outputs keep their last version."""
        history.job_not_rebuilt(self.workspace, self.run, task, reason)

    def totals(self) -> dict[str, int]:
        return counters.totals(self.workspace)

    def end(
        self,
        *,
        executed: int,
        failed: int,
        uptodate: int,
        not_rebuilt: int,
        interrupted: bool = False,
        stopping: bool = False,
    ) -> None:
        """Record the run's end with its counts; with ``stopping`` (an error is on its way
        out already) a state that cannot be written any more is no further news."""
        if self.run is None:
            return
        try:
            history.end_run(
                self.workspace,
                self.run,
                executed=executed,
                failed=failed,
                uptodate=uptodate,
                not_rebuilt=not_rebuilt,
                counters=self.totals(),
                interrupted=interrupted,
            )
        except (StateError, OSError):
            if not stopping:
                raise

    def release(self) -> None:
        if self.locked:
            lock.release(self.workspace.lock_file)
            self.locked = False
