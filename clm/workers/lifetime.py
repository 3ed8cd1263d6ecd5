"""Worker processes live exactly as long as the build that started them.

doit's ``-n`` workers and the watcher's pool are child processes, started by
fork, spawn or forkserver (clm.workers.start_method). If the build is killed
(SIGKILL, an OOM kill, a CI timeout), nothing tells them: they would keep
running, and keep their Jupyter kernels running. So every worker, as the first
thing it does, ties itself to its build: it asks Linux for SIGTERM when its
parent dies (PR_SET_PDEATHSIG: the build under fork and spawn, the forkserver,
which ends with the build, under forkserver), turns SIGTERM into a clean exit
whose finalizers shut its kernels and converters down, and then ends whatever
else carries the build's run tag (clm.workers.run_tag): the kernels and cell
processes of its fellow workers, daemons a cell started. A thread watching the
build through multiprocessing's parent sentinel backs that up (and is the
only guard off Linux): if the clean exit hangs, it ends the process. The
worker also reports a heartbeat with the task it works on to the state file,
which is what ``clm workers list`` shows.

Ctrl-C is the parent's to handle: a terminal sends SIGINT to the whole process
group, and a worker that reacted too would be cleaning up when the parent's
SIGTERM arrives and cut that short. So workers ignore SIGINT (and SIGHUP, a
closed terminal), and the parent, once its build is interrupted or fails, ends
them: SIGTERM for a clean exit, and after a grace period SIGKILL for them and
everything carrying the run's tag (kernels run in sessions of their own, out of
reach of the terminal).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from multiprocessing import util
from multiprocessing.connection import wait

from clm.workers import run_tag

_PR_SET_PDEATHSIG = 1
EXIT_GRACE_SECONDS = 3.0  # for a worker's clean exit after its build died
PARENT_POLL_SECONDS = 0.25
_current_task: str | None = None
_beating: int | None = None  # the process whose heartbeat runs


def working_on(task: str | None, state_file: str) -> None:
    """Name the task this process runs now (the heartbeat reports it).

    The first task a process runs starts its heartbeat, after loading the
    conversion libraries (a no-op in a worker, which loaded them as it started).
    """
    from clm.workers.warm_up import warm_up

    global _current_task
    warm_up()
    _current_task = task
    if _beating != os.getpid():
        start_heartbeat(state_file)


def _pass(signum, frame) -> None:
    """A handler that ignores its signal.

    Not SIG_IGN: a signal that reached the process while a Python handler was
    still set is handled once Python gets to it, and if SIG_IGN has replaced
    that handler by then, Python raises "OSError: Signal 15 ignored due to race
    condition" wherever the main thread is, e.g. inside the joins of its exit.
    """


def _leave(signum, frame) -> None:
    # Once: a second SIGTERM would cut short the clean exit the first one began.
    signal.signal(signal.SIGTERM, _pass)
    # Stopped wherever it was, e.g. halfway through making an event loop: what the
    # objects cut short say as they are collected is noise in the build's output.
    sys.unraisablehook = _unheard
    warnings.filterwarnings("ignore", message="coroutine .* was never awaited")
    raise SystemExit(128 + signum)


def _unheard(unraisable: object) -> None:
    """An exception nobody can catch, in a worker that is leaving: not worth a traceback."""


def _ask_for_death_signal() -> None:
    """SIGTERM when the parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def start_worker() -> None:
    """What a worker does first, under every start method: tie itself to its build, warm up.

    Its build is its logical parent (multiprocessing.parent_process()): the
    process that started it, also under forkserver, where the operating
    system's parent is the forkserver.
    """
    from clm.encoding import tolerate_any_text
    from clm.state import lock
    from clm.workers.warm_up import warm_up

    tolerate_any_text()  # a spawned worker's streams are new, with their strict handler
    signal.signal(signal.SIGTERM, _leave)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in _hangups():  # a closed terminal: the parent ends the build
        signal.signal(signum, signal.SIG_IGN)
    build = multiprocessing.parent_process()
    if build is None:
        return  # not a child process: nothing to tie to
    _ask_for_death_signal()
    lock.forget_inherited()
    tag = run_tag.this_run()
    if tag is not None:
        # Priority 1: after the kernels' own clean shutdown (10), before the queues' (0).
        util.Finalize(None, _end_orphaned_run, args=(tag,), exitpriority=1)
    threading.Thread(
        target=_watch_build, args=(build.pid, build.sentinel, tag), name="clm-build", daemon=True
    ).start()
    # A real import problem shows again, with its traceback, when the first task
    # imports the same modules.
    with contextlib.suppress(Exception):
        warm_up()


def _end_orphaned_run(tag: str) -> None:
    """At a worker's exit: if its build is dead, end what the build started."""
    if not run_tag.owner_runs(tag):
        run_tag.end_run(tag)


def _wait_for_the_build_to_die(pid: int, sentinel: int) -> None:
    from clm.system.processes import process_of, runs

    build = process_of(pid)
    # The sentinel is a pipe the build holds open; under fork a worker forked
    # later holds it too, so the process itself is asked as well.
    while runs(build) and not wait([sentinel], timeout=PARENT_POLL_SECONDS):
        pass


def _watch_build(pid: int, sentinel: int, tag: str | None) -> None:
    """The fallback behind PR_SET_PDEATHSIG, and the only guard where Linux's is missing.

    A clean exit can hang: the main thread may be stuck where no signal handler
    runs, or the exit may wait forever to flush results into a queue whose
    reader died. Past the grace period the process ends what carries the run's
    tag and itself, without cleaning up.
    """
    from clm.system.processes import stop_this_process

    _wait_for_the_build_to_die(pid, sentinel)
    stop_this_process()
    time.sleep(EXIT_GRACE_SECONDS)
    if tag is not None:
        with contextlib.suppress(Exception):
            run_tag.end_run(tag, grace=0)
    os._exit(128 + signal.SIGTERM)


class _CountsAsProcess(type):
    """doit's MRunner tells its process workers from thread workers by
    ``Child == multiprocessing.Process``; a WorkerProcess must count as one."""

    def __eq__(cls, other: object) -> bool:
        return other is multiprocessing.Process or super().__eq__(other)

    __hash__ = type.__hash__


class WorkerProcess(multiprocessing.Process, metaclass=_CountsAsProcess):
    """A doit worker that ties itself to the build before it reads its first job."""

    def run(self) -> None:
        start_worker()
        super().run()


def guard_doit_workers() -> None:
    """Make doit's ``-n`` workers (its MRunner's ``Child``) WorkerProcesses."""
    from doit.runner import MRunner

    MRunner.Child = WorkerProcess


def _heartbeat(state_file: str) -> None:
    # Imported by start_heartbeat, in the thread that starts this one.
    from clm.state.heartbeats import beat, open_existing, run_in_progress

    connection = open_existing(state_file, timeout=30)
    if connection is None:
        return
    started = time.time()
    try:
        while True:
            beat(
                connection,
                os.getpid(),
                run_in_progress(connection),
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


# -- a build stopped from outside -----------------------------------------------------


class Stopped(KeyboardInterrupt):
    """SIGTERM (`kill`, a CI timeout) or SIGHUP (a closed terminal; SIGBREAK on Windows)
    in the build's process.

    A KeyboardInterrupt, so that every path Ctrl-C takes (workers ended, the run
    recorded as interrupted, the lock released) is taken for these too.
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _stopped(signum, frame) -> None:
    raise Stopped(signum)


def _hangups() -> list[int]:
    """The signals of a closed terminal: SIGHUP; on Windows SIGBREAK, which a closed
    console window and Ctrl-Break send."""
    return [getattr(signal, name) for name in ("SIGHUP", "SIGBREAK") if hasattr(signal, name)]


def _stopping_signals() -> list[int]:
    return [signal.SIGTERM, *_hangups()]


def stop_like_ctrl_c() -> None:
    """From now on SIGTERM and SIGHUP (SIGBREAK) end this process as Ctrl-C does (main
    thread only).

    Forked workers keep their own handlers (die_with_parent): their parent ends them.
    """
    for signum in _stopping_signals():
        signal.signal(signum, _stopped)


def ignore_stops() -> None:
    """While a stopped build cleans up, a second Ctrl-C, SIGTERM or SIGHUP must not cut it short."""
    for signum in (signal.SIGINT, *_stopping_signals()):
        signal.signal(signum, _pass)


def interrupt_exit(interrupt: KeyboardInterrupt) -> tuple[int, str]:
    """The exit code (128 + the signal, as a shell reports it) and the word for an interrupt."""
    signum = getattr(interrupt, "signum", signal.SIGINT)
    if signum == signal.SIGINT:
        return 128 + signum, "interrupted"
    return 128 + signum, f"stopped by {signal.Signals(signum).name}"


# -- ending a build's processes ----------------------------------------------------

WORKER_EXIT_SECONDS = 1.0  # for workers' clean exit after the build told them to end


def end_workers(grace: float = WORKER_EXIT_SECONDS) -> None:
    """End this process's workers and everything its run started.

    Workers that were sent SIGTERM get ``grace`` seconds to exit cleanly (their
    finalizers shut their kernels down); then a worker stuck where no signal
    handler runs is killed, and whatever carries the run's tag (a kernel whose
    shutdown was cut short, what a cell started) ends. Called by the build
    when it stops early, before multiprocessing's exit handler, which would
    otherwise wait for the workers forever.
    """
    workers = multiprocessing.active_children()
    for worker in workers:
        with contextlib.suppress(OSError):
            worker.terminate()
    deadline = time.monotonic() + grace
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    for worker in workers:
        if worker.is_alive():
            worker.kill()
        worker.join(1.0)
    # Then what they left: by its tag, also once its worker is gone and it belongs to init.
    run_tag.end_this_run()


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
