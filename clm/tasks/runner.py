"""Running doit on a course's tasks: its configuration, and the build lock around it.

``clm build`` and ``clm jobs retry`` run doit's ``run`` command here; plain
``doit`` reads the same configuration from clm.dodo.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a build that finds nothing changed imports neither (nor doit)
    from clm.session.session import Session
    from clm.state.doit_state import DoitState

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def doit_config(state: DoitState, jobs: int | None = None) -> dict:
    """DOIT_CONFIG of a run whose checker and backend share ``state``."""
    return {
        "backend": "clm-sqlite",
        **state.doit_config(),
        "continue": True,
        "num_process": jobs or os.cpu_count() or 1,
        "par_type": "process",
        "verbosity": 1,
        # Print what ran (not the thousands of tasks that were up to date),
        # each failure once, and a summary.
        "reporter": "clm",
        # `doit forget` names tasks or says --all (doit 0.37 fails without either).
        "forget_disable_default": True,
    }


def locked_out(command: str, holder: str) -> str:
    """Why a command that removes outputs or records does not run while a build does."""
    return (
        f"a build of this course is running (process {holder}) and {command} would remove "
        f"what it writes; let it finish (or stop it: Ctrl-C, or kill {holder}) and run "
        f"{command} again"
    )


def run_doit(
    session: Session,
    state: DoitState,
    tasks: Callable[[], Iterable],
    arguments: list[str],
    jobs: int | None = None,
    no_wait: bool = False,
    before: Callable[[], int | None] | None = None,
) -> int:
    """doit's run command on the tasks ``tasks()`` yields, holding the course's build lock;
    ``session`` is the run's (the one installed for doit's reporter), and ``state``
    its checker's and backend's (the one the tasks were planned with).

    With ``no_wait`` another running build is an error (exit 2) instead of a wait.
    ``before`` runs first, under the lock (the cluster pre-pass); an exit code it
    returns ends the build there.
    """
    from doit.cmd_base import ModuleTaskLoader
    from doit.doit_cmd import DoitMain

    from clm.state import lock
    from clm.tasks.reporter import TasksFailed
    from clm.workers.lifetime import stop_like_ctrl_c

    def task_course():
        yield from tasks()

    workspace = session.workspace
    namespace = {"DOIT_CONFIG": doit_config(state, jobs), "task_course": task_course}
    stop_like_ctrl_c()  # also while waiting for the lock and in the cluster pre-pass
    try:
        held = lock.acquire(workspace.lock_file, say=session.reporter.note, wait=not no_wait)
    except lock.BuildLocked as locked:
        session.reporter.error(
            f"error: another build of this course is running (process {locked.holder}); "
            "not waiting (--no-wait)"
        )
        return EXIT_USAGE
    try:
        stopped = before() if before is not None else None
        if stopped is not None:
            return stopped
        try:
            code = DoitMain(ModuleTaskLoader(namespace)).run(["run", *arguments])
        except TasksFailed as failed:
            code = failed.code
    finally:
        if held:
            lock.release(workspace.lock_file)
    # doit: 1 = a task failed, 2 = a task raised or a dependency failed; 3 = bad usage.
    return {0: EXIT_OK, 1: EXIT_FAILED, 2: EXIT_FAILED}.get(code, EXIT_USAGE)
