"""Worker processes that outlive a cycle: libraries loaded, a kernel already booted.

doit forks fresh workers for every run; a watcher keeps its own pool instead,
so a save costs the conversion and nothing else. Workers are forked before the
watcher starts any thread, ignore Ctrl-C (the watcher handles it and then ends
them), leave cleanly on SIGTERM (their finalizers shut kernels and converters
down) and get SIGTERM from Linux when the watcher dies, however it dies.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        return


def _leave(signum, frame) -> None:
    # SystemExit unwinds the worker loop; multiprocessing then runs the finalizers.
    raise SystemExit(0)


def _start_worker(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _leave)
    _die_with_parent()
    if os.getppid() != parent:  # the watcher died before prctl took effect
        raise SystemExit(0)
    from clm.deck import formats
    from clm.kernels import pool

    formats.warm_up()
    pool().prestart()


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
    """A forked pool of ``size`` warm workers, restarted when one of them dies."""

    def __init__(self, size: int):
        self.size = size
        self._executor: ProcessPoolExecutor | None = None
        self.start()

    def start(self) -> None:
        context = multiprocessing.get_context("fork")
        self._executor = ProcessPoolExecutor(
            self.size, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),)
        )
        # Fork every worker now, while this process has no other threads.
        for future in [self._executor.submit(_ready) for _ in range(self.size)]:
            future.result()

    def submit(self, function, args: tuple, kwargs: dict) -> Future:
        try:
            return self._executor.submit(run_action, function, args, kwargs)
        except BrokenProcessPool:
            self.restart()
            return self._executor.submit(run_action, function, args, kwargs)

    def restart(self) -> None:
        self.close()
        self.start()

    def pids(self) -> list[int]:
        processes = getattr(self._executor, "_processes", None) or {}
        return list(processes)

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
