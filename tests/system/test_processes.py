"""Processes on every platform: Windows simulated on Linux, with real processes.

Windows has no SIGKILL, SIGHUP or os.killpg, and its ``os.kill(pid, 0)`` sends a
console Ctrl-C. The ``windows`` fixture makes this machine look like it: os.name
"nt", those names gone, and every ``os.kill`` clm makes recorded. psutil's
terminate and kill (TerminateProcess on Windows) are doubled by recorders that
end the real process, since Linux's psutil would ask for the missing SIGKILL.
"""

from __future__ import annotations

import _thread
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import psutil
import pytest

from clm.system import processes
from clm.workers import lifetime

# Windows simulated on POSIX, and POSIX's own ways (zombies, a real SIGTERM).
pytestmark = pytest.mark.skipif(os.name != "posix", reason="simulates Windows on POSIX")

SLEEP = [sys.executable, "-c", "import time; time.sleep(600)"]
# A process that starts a child of its own and says its pid.
PARENT = (
    "import subprocess, sys, time\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
    "print(child.pid, flush=True)\n"
    "time.sleep(600)\n"
)


class Windows:
    """What clm asked of the simulated Windows; a context manager, so that a failure is
    reported (pytest makes Paths) on the real system."""

    def __init__(self):
        self.signals: list[tuple[int, int]] = []  # os.kill calls: (pid, signal)
        self.ended: list[int] = []  # pids psutil terminated or killed


@contextlib.contextmanager
def windows() -> Iterator[Windows]:
    asked = Windows()
    real_kill, sigkill = os.kill, signal.SIGKILL

    def end(process: psutil.Process) -> None:
        asked.ended.append(process.pid)
        real_kill(process.pid, sigkill)  # Windows' TerminateProcess ends it at once

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(psutil.Process, "terminate", end)
        patch.setattr(psutil.Process, "kill", end)
        patch.setattr(os, "kill", lambda pid, signum: asked.signals.append((pid, signum)))
        patch.setattr(os, "name", "nt")
        patch.setattr(sys, "platform", "win32")
        for name in ("SIGKILL", "SIGHUP"):
            patch.delattr(signal, name)
        patch.delattr(os, "killpg")
        yield asked


@pytest.fixture
def sleeper():
    process = subprocess.Popen(SLEEP)
    yield process
    process.terminate()  # SIGTERM: also there on Windows
    process.wait()


def test_pid_alive_sends_no_signal_on_windows(sleeper):
    with windows() as asked:
        running = processes.pid_alive(sleeper.pid), processes.pid_alive(os.getpid())
        psutil.Process(sleeper.pid).kill()
        sleeper.wait()
        gone = processes.pid_alive(sleeper.pid)
    assert running == (True, True)
    assert not gone
    assert asked.signals == []


def test_a_zombie_is_not_alive(sleeper):
    """A killed build's worker that no one reaps: its kernels' scratch folders must go."""
    sleeper.kill()
    deadline = time.monotonic() + 300
    while psutil.Process(sleeper.pid).status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert not processes.pid_alive(sleeper.pid)


def test_a_process_tree_ends_on_windows_without_signals_or_groups():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        with windows() as asked:
            processes.end_tree(parent.pid)
        assert parent.wait(300) is not None
        assert not processes.pid_alive(child)
        assert set(asked.ended) == {parent.pid, child}
        assert asked.signals == []
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()


def test_a_timed_out_program_ends_with_its_children_on_windows():
    with windows() as asked, contextlib.suppress(subprocess.TimeoutExpired):
        processes.run_within([sys.executable, "-c", PARENT], timeout=5)
    assert len(asked.ended) == 2, asked.ended
    assert not any(processes.pid_alive(pid) for pid in asked.ended)
    assert asked.signals == []


def test_processes_end_after_a_grace_on_windows(sleeper):
    with windows() as asked:
        processes.end_processes([psutil.Process(sleeper.pid)], grace=0.1)
    assert sleeper.wait(300) is not None
    assert asked.ended == [sleeper.pid]
    assert asked.signals == []


def test_a_worker_whose_build_died_stops_itself_without_a_signal_on_windows(monkeypatch):
    """Windows' os.kill(pid, SIGTERM) is TerminateProcess: the worker's clean exit would
    not run. Its SIGTERM handler runs in the main thread instead."""
    handled = []
    monkeypatch.setattr(lifetime, "_wait_for_the_build_to_die", lambda pid, sentinel: None)
    monkeypatch.setattr(lifetime, "EXIT_GRACE_SECONDS", 0)

    def exit_now(code: int) -> None:
        raise SystemExit(code)

    monkeypatch.setattr(os, "_exit", exit_now)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: handled.append(signum))
    try:
        with windows() as asked, pytest.raises(SystemExit) as exited:
            lifetime._watch_build(0, 0, None)
        deadline = time.monotonic() + 300
        while not handled and time.monotonic() < deadline:
            time.sleep(0.01)  # the handler runs at one of the main thread's next steps
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert handled == [signal.SIGTERM]
    assert exited.value.code == 128 + signal.SIGTERM
    assert asked.signals == []


def test_on_posix_a_process_stops_itself_by_a_real_signal(monkeypatch):
    """A real SIGTERM also wakes a main thread that waits in a system call."""
    sent = []
    monkeypatch.setattr(os, "kill", lambda pid, signum: sent.append((pid, signum)))
    monkeypatch.setattr(_thread, "interrupt_main", lambda signum: sent.append(signum))
    processes.stop_this_process()
    assert sent == [(os.getpid(), signal.SIGTERM)]
