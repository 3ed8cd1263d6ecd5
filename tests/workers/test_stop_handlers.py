"""A signal that arrives while a stop is already under way is ignored, never an error.

Python runs a signal's handler some bytecodes after the signal arrived. If the
handler was replaced by SIG_IGN in between (the first SIGTERM's handler does
that, to keep a second one from cutting its clean exit short), Python raises
"OSError: Signal 15 ignored due to race condition" wherever the main thread
happens to be: CI saw its traceback in the joins of a stopped worker's exit.
So "ignore from now on" is a Python handler that does nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from clm.workers import lifetime


@pytest.fixture
def handlers():
    signums = (signal.SIGINT, *lifetime._stopping_signals())
    before = {signum: signal.getsignal(signum) for signum in signums}
    hook = sys.unraisablehook  # a leaving worker silences it
    yield
    sys.unraisablehook = hook
    for signum, handler in before.items():
        signal.signal(signum, handler)


def test_a_leaving_worker_ignores_a_second_sigterm_with_a_python_handler(handlers):
    signal.signal(signal.SIGTERM, lifetime._leave)
    with pytest.raises(SystemExit) as leaving:
        os.kill(os.getpid(), signal.SIGTERM)
    assert leaving.value.code == 128 + signal.SIGTERM
    ignoring = signal.getsignal(signal.SIGTERM)
    assert callable(ignoring), "SIG_IGN would race with a SIGTERM already on its way"
    os.kill(os.getpid(), signal.SIGTERM)  # handled, and nothing happens


LEAVING_MID_WORK = """
import gc, os, signal
from clm.workers import lifetime

class HalfMade:  # as an event loop that SIGTERM cut short in its constructor
    def __del__(self):
        raise AttributeError("'HalfMade' object has no attribute '_ssock'")

async def starting():
    pass

signal.signal(signal.SIGTERM, lifetime._leave)
work = [HalfMade(), starting()]
try:
    os.kill(os.getpid(), signal.SIGTERM)
finally:
    del work
    gc.collect()
"""


@pytest.mark.posix_only("a SIGTERM to itself ends a Windows process without a handler")
def test_a_worker_stopped_mid_work_exits_without_the_noise_of_what_it_cut_short():
    left = subprocess.run(
        [sys.executable, "-c", LEAVING_MID_WORK], capture_output=True, text=True, timeout=120
    )
    assert left.returncode == 128 + signal.SIGTERM, left.stderr
    assert "Exception ignored" not in left.stderr
    assert "never awaited" not in left.stderr
    assert left.stderr == ""


def test_a_stopped_build_ignores_further_stops_with_a_python_handler(handlers):
    lifetime.ignore_stops()
    for signum in (signal.SIGINT, *lifetime._stopping_signals()):
        assert callable(signal.getsignal(signum)), signal.Signals(signum).name
        os.kill(os.getpid(), signum)  # handled, and nothing happens


def test_on_windows_a_closed_console_stops_the_build_and_workers_ignore_it(handlers, monkeypatch):
    """Windows has no SIGHUP: a closed console window and Ctrl-Break send SIGBREAK."""
    monkeypatch.delattr(signal, "SIGHUP")
    monkeypatch.setattr(signal, "SIGBREAK", signal.SIGUSR1, raising=False)  # simulated
    before = signal.getsignal(signal.SIGUSR1)
    try:
        lifetime.stop_like_ctrl_c()
        build = signal.getsignal(signal.SIGUSR1)
        lifetime.start_worker()  # this process has no build to tie itself to
        worker = signal.getsignal(signal.SIGUSR1)
    finally:
        signal.signal(signal.SIGUSR1, before)
    assert build is lifetime._stopped
    assert worker is signal.SIG_IGN
