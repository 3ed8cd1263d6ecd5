"""Worker processes: tied to the build that forked them, warmed up, pooled for the watcher."""

from __future__ import annotations


def prepare_forked_workers(state_file: str) -> None:
    """Make every process forked from this one a guarded, warming-up worker (once).

    The build calls this before doit (or the watcher) forks its workers. The
    guard comes first: a forked worker asks for its parent's death signal
    before anything else runs in it.
    """
    from clm.workers.lifetime import guard_forked_workers
    from clm.workers.warm_up import warm_up_forked_workers

    guard_forked_workers(state_file)
    warm_up_forked_workers()
