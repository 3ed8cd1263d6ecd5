"""Worker processes live exactly as long as the build that forked them.

doit's ``-n`` workers and the watcher's pool are forked children. If the build
is killed (SIGKILL, an OOM kill, a CI timeout), nothing tells them: they would
keep running, and keep their Jupyter kernels running. So every forked worker
asks Linux for SIGTERM when its parent dies (PR_SET_PDEATHSIG), turns SIGTERM
into a clean exit whose finalizers shut its kernels and converters down, and
reports a heartbeat with the task it works on to the state file, which is what
``clm workers list`` shows. A thread watching the parent backs that up (and is
the only guard off Linux): if the clean exit hangs, it ends the process.

Ctrl-C is the parent's to handle: a terminal sends SIGINT to the whole process
group, and a worker that reacted too would be cleaning up when the parent's
SIGTERM arrives and cut that short. So workers ignore SIGINT, and the parent,
once its build is interrupted or fails, ends them: SIGTERM for a clean exit,
and after a grace period SIGKILL for them and everything they started
(kernels run in sessions of their own, out of reach of the terminal).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from multiprocessing import util
from pathlib import Path

_PR_SET_PDEATHSIG = 1
EXIT_GRACE_SECONDS = 3.0  # for a worker's clean exit after its parent died
_hooked = False
_current_task: str | None = None
_prctl = None


_beating: int | None = None  # the process whose heartbeat runs


def working_on(task: str | None, state_file: str) -> None:
    """Name the task this process runs now (the heartbeat reports it).

    A process that runs tasks without having been forked as a worker starts
    its heartbeat here, after loading the conversion libraries.
    """
    from clm.workers.warm_up import warm_up

    global _current_task
    warm_up()
    _current_task = task
    if _beating != os.getpid():
        start_heartbeat(state_file)


def _leave(signum, frame) -> None:
    # Once: a second SIGTERM would cut short the clean exit the first one began.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(128 + signum)


def _load_prctl():
    # Looked up in the parent: a forked child should do as little as possible
    # before it has asked for its parent's death signal.
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def die_with_parent(parent: int) -> None:
    """End this process soon after ``parent`` dies: cleanly if it can, at once if not."""
    signal.signal(signal.SIGTERM, _leave)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGHUP"):  # a closed terminal: the parent ends the build
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    threading.Thread(target=_watch_parent, args=(parent,), name="clm-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    """The fallback behind PR_SET_PDEATHSIG, and the only guard where Linux's is missing.

    A clean exit can hang: the main thread may be stuck where no signal handler
    runs, or the exit may wait forever to flush results into a queue whose
    reader died. Past the grace period the process ends without cleaning up;
    its kernels notice their parent is gone and end themselves.
    """
    while os.getppid() == parent:
        time.sleep(0.25)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(EXIT_GRACE_SECONDS)
    os._exit(128 + signal.SIGTERM)


def _heartbeat(state_file: str) -> None:
    # Imported by start_heartbeat, in the thread that starts this one.
    from clm.state.counters import RUN_VARIABLE
    from clm.state.heartbeats import beat, open_existing

    connection = open_existing(state_file, timeout=30)
    if connection is None:
        return
    started = time.time()
    try:
        while True:
            beat(
                connection,
                os.getpid(),
                os.environ.get(RUN_VARIABLE),
                _current_task,
                started,
                time.time(),
            )
            time.sleep(1.0)
    finally:
        connection.close()


def _forget_worker(state_file: str, pid: int) -> None:
    from clm.state.heartbeats import forget_worker

    if os.getpid() == pid:
        forget_worker(state_file, pid)


def start_heartbeat(state_file: str) -> None:
    """Report this process as a worker of the build, with its current task, every second."""
    # Imports in two threads at once can fail (CPython's import locks report a
    # false deadlock and leave a package half-initialised), so the heartbeat
    # thread finds its modules loaded.
    import clm.state.counters
    import clm.state.heartbeats  # noqa: F401

    global _beating
    _beating = os.getpid()
    threading.Thread(
        target=_heartbeat, args=(os.path.abspath(state_file),), name="clm-heartbeat", daemon=True
    ).start()
    util.Finalize(None, _forget_worker, args=(state_file, os.getpid()), exitpriority=5)


def start_worker(parent: int, state_file: str | None) -> None:
    """What a freshly forked worker does first."""
    from clm.state import lock

    die_with_parent(parent)
    lock.forget_inherited()
    if state_file is not None:
        start_heartbeat(state_file)


def guard_forked_workers(state_file: str) -> None:
    """Make every process forked from this one a guarded worker (once per process)."""
    global _hooked, _prctl
    if _hooked or not hasattr(os, "register_at_fork"):
        return
    _prctl = _load_prctl()
    parent = os.getpid()
    absolute = os.path.abspath(state_file)
    os.register_at_fork(after_in_child=lambda: start_worker(parent, absolute))
    _hooked = True


# -- a build stopped from outside -----------------------------------------------------


class Stopped(KeyboardInterrupt):
    """SIGTERM (`kill`, a CI timeout) or SIGHUP (a closed terminal) in the build's process.

    A KeyboardInterrupt, so that every path Ctrl-C takes (workers ended, the run
    recorded as interrupted, the lock released) is taken for these too.
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _stopped(signum, frame) -> None:
    raise Stopped(signum)


def _stopping_signals() -> list[int]:
    return [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]


def stop_like_ctrl_c() -> None:
    """From now on SIGTERM and SIGHUP end this process as Ctrl-C does (main thread only).

    Forked workers keep their own handlers (die_with_parent): their parent ends them.
    """
    for signum in _stopping_signals():
        signal.signal(signum, _stopped)


def ignore_stops() -> None:
    """While a stopped build cleans up, a second Ctrl-C, SIGTERM or SIGHUP must not cut it short."""
    for signum in (signal.SIGINT, *_stopping_signals()):
        signal.signal(signum, signal.SIG_IGN)


def interrupt_exit(interrupt: KeyboardInterrupt) -> tuple[int, str]:
    """The exit code (128 + the signal, as a shell reports it) and the word for an interrupt."""
    signum = getattr(interrupt, "signum", signal.SIGINT)
    if signum == signal.SIGINT:
        return 128 + signum, "interrupted"
    return 128 + signum, f"stopped by {signal.Signals(signum).name}"


# -- ending a build's processes ----------------------------------------------------

WORKER_EXIT_SECONDS = 1.0  # for workers' clean exit after the build told them to end


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid`` (children of children too); [] without /proc.

    Read in one pass over /proc, so a process that called setsid (as Jupyter
    kernels and some of the programs decks start do) is still found.
    """
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command name in parentheses may contain spaces: split after it.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, pending = [], [pid]
    while pending:
        for child in children.get(pending.pop(), ()):
            found.append(child)
            pending.append(child)
    return found


def kill_processes(pids: list[int]) -> None:
    """SIGKILL each of ``pids`` that still exists."""
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def end_workers(grace: float = WORKER_EXIT_SECONDS) -> None:
    """End this process's forked workers and everything below them.

    Workers that were sent SIGTERM get ``grace`` seconds to exit cleanly (their
    finalizers shut their kernels down); whatever is left then, a worker stuck
    where no signal handler runs, or a kernel whose shutdown was cut short, is
    killed. Called by the build when it stops early, before multiprocessing's
    exit handler, which would otherwise wait for the workers forever.
    """
    import multiprocessing

    workers = multiprocessing.active_children()
    below = {worker.pid: descendants(worker.pid) for worker in workers}
    for worker in workers:
        with contextlib.suppress(OSError):
            worker.terminate()
    deadline = time.monotonic() + grace
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    for worker in workers:
        # Processes started since we looked, too; kill the worker last, or its
        # orphans would be handed to init before we saw them.
        kill_processes([*below[worker.pid], *descendants(worker.pid)])
        kill_processes([worker.pid])
        worker.join(1.0)


EXIT_SECONDS = 0.5  # for this process's exit handlers once a stopped build exits


def _exit_now(code: int) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def exit_soon(code: int, within: float = EXIT_SECONDS) -> None:
    """Make sure this process ends with ``code`` within ``within`` seconds from now.

    For a build that is stopping anyway: exit handlers (multiprocessing's wait
    for its queues' feeder threads, say) can block on a lock or a pipe that a
    killed worker left behind; then the process ends without them.
    """
    timer = threading.Timer(within, _exit_now, args=(code,))
    timer.daemon = True
    timer.start()
