"""Processes on every platform, through psutil: whether one runs, what runs below it,
ending it all, and a process stopping itself.

A Jupyter kernel, and many of the programs a deck's code starts, call setsid:
they leave the process group of the process that started them, so a signal to
a group misses them. The tree of parents and children still has them, until
their parent dies and they are handed to init; so a tree is read before its
root is ended. Windows has neither process groups nor signals between
processes: psutil's terminate and kill end a process there (TerminateProcess),
and a POSIX signal name is used only where ``os.name`` is "posix".
"""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

# psutil is imported where it is used: a no-op build asks whether processes live
# (kernels' scratch folders, the lock's holder) without paying for its import.
if TYPE_CHECKING:
    import psutil


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` runs; a zombie (dead, not yet reaped by its parent) does not.

    Zombies matter: where init does not reap orphans promptly, a killed build's
    workers linger as zombies, and their kernels' scratch folders must go all the same.
    Not ``os.kill(pid, 0)``: on Windows signal 0 is CTRL_C_EVENT, which it sends.
    """
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.AccessDenied:
        return True  # another user's process (Windows): it runs, we may not look
    except psutil.Error:
        return False


def descendants(pid: int) -> list[psutil.Process]:
    """Every living process below ``pid`` (children of children too); [] when it is gone."""
    import psutil

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
    import psutil

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
    import psutil

    try:
        return psutil.Process(pid)
    except psutil.Error:
        return None


def runs(process: psutil.Process | None) -> bool:
    """Whether ``process`` still runs: not ended, not a zombie, its pid not given to another."""
    import psutil

    if process is None:
        return False
    try:  # is_running() is False once the pid belongs to another process
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def end_processes(processes: Sequence[psutil.Process], grace: float) -> None:
    """SIGTERM, ``grace`` seconds for a clean exit, then SIGKILL for what is left."""
    import psutil

    for process in processes:
        with contextlib.suppress(psutil.Error):
            process.terminate()
    _, left = psutil.wait_procs(processes, timeout=grace) if grace > 0 else ((), processes)
    kill_processes(left)


def end_tree(pid: int) -> None:
    """Kill ``pid``, its process group (if it leads one, on POSIX) and everything below
    it, now."""
    root = process_of(pid)
    below = descendants(pid)  # first: once pid is gone, its children belong to init
    if os.name == "posix":  # the group also holds what left the tree (a daemon's child)
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    kill_processes([root, *below] if root is not None else below)


def stop_this_process() -> None:
    """Run this process's SIGTERM handler in its main thread, from any thread.

    On POSIX a real signal, which also wakes a main thread that waits in a system
    call. Windows' ``os.kill(pid, SIGTERM)`` is TerminateProcess, an end without
    the handler's clean exit: there the handler runs at the main thread's next step.
    """
    if os.name == "posix":
        os.kill(os.getpid(), signal.SIGTERM)
    else:
        _thread.interrupt_main(signal.SIGTERM)


def run_within(argv: Sequence[str], timeout: float, **options) -> subprocess.CompletedProcess:
    """``subprocess.run(argv, capture_output=True, timeout=timeout, **options)``, except
    that a timeout ends every process the program started, not only the program.

    subprocess.run kills the program alone: a wrapper script (a shell script that
    runs the real interpreter as its child, as pyenv's and conda's shims do) dies
    and its child runs on. Here the program leads a session of its own (on POSIX;
    Windows ignores start_new_session), and the whole session and tree are killed.
    Raises subprocess.TimeoutExpired after that.
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
