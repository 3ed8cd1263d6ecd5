"""Worker processes that outlive a cycle: libraries loaded, a kernel already booted.

doit starts fresh workers for every run; a watcher keeps its own pool instead,
so a save costs the conversion and nothing else. Workers start (by the start
method of clm.workers.start_method) before the watcher starts any thread and
ignore Ctrl-C (the watcher handles it and then ends them); like doit's workers
they are tied to their parent by ``clm.workers.lifetime``: SIGTERM when it
dies, a clean exit that shuts kernels down.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from clm.workers.lifetime import start_worker
from clm.workers.start_method import start_method


def _start_worker(prepare: Callable[[], None] | None) -> None:
    start_worker()
    if prepare is not None:
        prepare()


def _ready() -> int:
    return os.getpid()


def run_action(function, args: tuple, kwargs: dict):
    """Run one task action in a worker: ("ok", result) or ("failed", message)."""
    from doit.exceptions import BaseFail

    try:
        result = function(*args, **kwargs)
    except Exception as error:  # the task fails, the worker lives on
        import traceback

        return "failed", "".join(traceback.format_exception(error)).rstrip()
    if isinstance(result, BaseFail):
        return "failed", result.get_msg().rstrip()
    return "ok", result if isinstance(result, dict) else None


class WorkerPool:
    """A pool of ``size`` warm workers, restarted when one of them dies."""

    def __init__(self, size: int, prepare: Callable[[], None] | None = None):
        """``prepare`` runs in each new worker once it has warmed up (e.g. boot a kernel)."""
        self.size = size
        self.prepare = prepare
        self._executor: ProcessPoolExecutor | None = None
        self.start()

    def start(self) -> None:
        context = multiprocessing.get_context(start_method())
        self._executor = ProcessPoolExecutor(
            self.size, mp_context=context, initializer=_start_worker, initargs=(self.prepare,)
        )
        # Start every worker now, while this process has no other threads.
        for future in [self._executor.submit(_ready) for _ in range(self.size)]:
            future.result()

    def submit(self, function, args: tuple, kwargs: dict) -> Future:
        """Run one action in a worker; the run it counts into is the workspace's (see
        clm.state.counters), whichever cycle started it."""
        try:
            return self._executor.submit(run_action, function, args, kwargs)
        except BrokenProcessPool:
            self.restart()
            return self._executor.submit(run_action, function, args, kwargs)

    def restart(self) -> None:
        self.close()
        self.start()

    def close(self, grace: float = 0.6) -> None:
        """End the workers: SIGTERM (a clean exit), then SIGKILL for what is left."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        processes = dict(getattr(executor, "_processes", None) or {})
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes.values():
            if process.is_alive():
                process.terminate()
        deadline = time.monotonic() + grace
        for process in processes.values():
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(1)
