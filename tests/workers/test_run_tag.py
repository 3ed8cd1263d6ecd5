"""The run tag: what names a build, and finding what a dead build left, with real processes."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import psutil
import pytest

from clm.workers import run_tag


def _sleeper(tag: str) -> subprocess.Popen:
    return subprocess.Popen(["sleep", "608"], env={**os.environ, run_tag.RUN_TAG_VARIABLE: tag})


@pytest.fixture
def dead_build() -> str:
    """The tag of a process that has ended."""
    build = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    tag = run_tag.tag_of(psutil.Process(build.pid))
    build.kill()
    build.wait()
    return tag


def _gone(process: subprocess.Popen) -> bool:
    deadline = time.monotonic() + 60  # only a hang: the sleep lasts 608 s otherwise
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return process.poll() is not None


def test_a_tag_names_a_process_by_pid_and_start_time(dead_build):
    me = run_tag.tag_of(psutil.Process())
    assert run_tag.owner_runs(me)
    assert not run_tag.owner_runs(dead_build)
    pid, started = me.split(":")
    # The same pid with another start time: a process that got the pid later.
    assert not run_tag.owner_runs(f"{pid}:{float(started) - 1:.2f}")
    assert not run_tag.owner_runs("not a tag")


def test_the_processes_of_a_dead_build_end_and_those_of_a_running_one_stay(dead_build):
    orphan = _sleeper(dead_build)
    # A build that runs: this test process.
    kept = _sleeper(run_tag.tag_of(psutil.Process()))
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the sleepers have exec'd (their environ)
            with contextlib.suppress(psutil.Error):
                if all(psutil.Process(p.pid).name() == "sleep" for p in (orphan, kept)):
                    break
            time.sleep(0.02)
        ended = run_tag.end_orphans()
        assert orphan.pid in {process.pid for process in ended}
        assert _gone(orphan)
        assert kept.poll() is None
    finally:
        for process in (orphan, kept):
            process.kill()
            process.wait()


def test_a_build_ends_what_carries_its_tag_but_spares_its_own_children(monkeypatch):
    tag = run_tag.tag_of(psutil.Process())
    monkeypatch.setenv(run_tag.RUN_TAG_VARIABLE, tag)
    # A helper of its own (multiprocessing's forkserver, say): a child of the build.
    child = _sleeper(tag)
    # A daemon a cell started: forked twice, a child of init now.
    started = subprocess.run(
        ["sh", "-c", "(setsid sleep 609 >/dev/null 2>&1 & echo $!)"],
        capture_output=True,
        text=True,
        check=True,
    )
    daemon = psutil.Process(int(started.stdout))
    try:
        ended = run_tag.end_this_run()
        assert daemon.pid in {process.pid for process in ended}
        daemon.wait(60)
        assert child.poll() is None
    finally:
        child.kill()
        child.wait()
        with contextlib.suppress(psutil.Error):
            daemon.kill()
