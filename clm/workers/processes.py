"""Process trees, through psutil: what runs below a process, and ending it all.

A Jupyter kernel, and many of the programs a deck's code starts, call setsid:
they leave the process group of the process that started them, so a signal to
a group misses them. The tree of parents and children still has them, until
their parent dies and they are handed to init; so a tree is read before its
root is ended.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence

import psutil


def descendants(pid: int) -> list[psutil.Process]:
    """Every living process below ``pid`` (children of children too); [] when it is gone."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


KILL_SECONDS = 5.0  # for the kernel to take down processes sent SIGKILL


def kill_processes(processes: Iterable[psutil.Process]) -> None:
    """SIGKILL each of ``processes`` that still runs (a reused pid is left alone),
    and wait until they are gone.

    A killed process is not gone at once: the kernel still frees its memory
    and files. A build that exited meanwhile would leave it behind for a moment,
    holding what it held.
    """
    killed = []
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.kill()
            killed.append(process)
    _await_end(killed, KILL_SECONDS)


def _await_end(processes: Sequence[psutil.Process], timeout: float) -> None:
    """Wait up to ``timeout`` seconds until each of ``processes`` is gone or a zombie.

    Not psutil.wait_procs: for a process that is not our child it waits until
    the pid is free, and a zombie whose new parent does not reap it (pid 1 in
    some containers) keeps its pid forever, though it holds nothing.
    """
    deadline = time.monotonic() + timeout
    left = list(processes)
    while left and time.monotonic() < deadline:
        left = [process for process in left if runs(process)]
        if left:
            time.sleep(0.01)


def process_of(pid: int) -> psutil.Process | None:
    """The process ``pid`` names now; None when none does."""
    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


def runs(process: psutil.Process | None) -> bool:
    """Whether ``process`` still runs: not ended, not a zombie, its pid not given to another."""
    if process is None:
        return False
    try:  # is_running() is False once the pid belongs to another process
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def end_processes(processes: Sequence[psutil.Process], grace: float) -> None:
    """SIGTERM, ``grace`` seconds for a clean exit, then SIGKILL for what is left."""
    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _, left = psutil.wait_procs(processes, timeout=grace) if grace > 0 else ((), processes)
    kill_processes(left)


def end_tree(pid: int) -> None:
    """Kill ``pid``, its process group (if it leads one) and everything below it, now."""
    below = descendants(pid)  # first: once pid is gone, its children belong to init
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    kill_processes(below)


def run_within(argv: Sequence[str], timeout: float, **options) -> subprocess.CompletedProcess:
    """``subprocess.run(argv, capture_output=True, timeout=timeout, **options)``, except
    that a timeout ends every process the program started, not only the program.

    subprocess.run kills the program alone: a wrapper script (a shell script that
    runs the real interpreter as its child, as pyenv's and conda's shims do) dies
    and its child runs on. Here the program leads a session of its own, and the
    whole session and tree are killed. Raises subprocess.TimeoutExpired after that.
    """
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, **options
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            end_tree(process.pid)
            # Whatever escaped the tree may hold the pipes open: do not wait for it.
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.communicate(timeout=1.0)
            raise
    return subprocess.CompletedProcess(list(argv), process.returncode, out, err)
