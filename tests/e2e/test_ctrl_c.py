"""Ctrl-C while a cell runs ends the build, its workers and its kernels within 2 s, with 130.

A terminal sends SIGINT to the whole process group. Before the fix, nbclient
had taken the worker's SIGINT and SIGTERM over (to shut the kernel down and
carry on), so the worker went back to waiting for its next job and the build
waited for it forever in multiprocessing's exit handler; the intermittent
hang is why every command is stopped several times.
"""

from __future__ import annotations

import os
import signal

import pytest

from tests.e2e.helpers import _env, without_fork
from tests.e2e.stopping import COMMANDS, Build, _command, last_run, sleepy_course

pytestmark = [
    pytest.mark.slow,
    pytest.mark.posix_only(reason="Ctrl-C as SIGINT to the build's process group (os.killpg)"),
]

TRIES = 3
HANG_GUARD = 300  # seconds: a build that ends at all after Ctrl-C ends well before


@pytest.mark.parametrize("command", list(COMMANDS))
def test_ctrl_c_during_a_cell_ends_everything_and_records_the_run_as_interrupted(tmp_path, command):
    for attempt in range(TRIES):
        root = tmp_path / f"course-{attempt}"
        started = sleepy_course(root)
        build = Build(root, command)
        try:
            build.wait_for(started)
            os.killpg(build.process.pid, signal.SIGINT)
            code, output, _ = build.end(timeout=HANG_GUARD)
        finally:
            build.kill()
        assert code is not None, f"try {attempt + 1}: the build hung after Ctrl-C:\n{output}"
        assert code == 130, output
        assert build.survivors() == [], f"try {attempt + 1}"
        assert "clm: interrupted" in output
        assert "Traceback" not in output, output
        assert last_run(root)["result"] == "interrupted"


def test_without_fork_a_build_runs_its_workers_and_ctrl_c_ends_them(tmp_path):
    """As on Windows, where multiprocessing has spawn alone: doit's workers start by spawn."""
    started = sleepy_course(tmp_path)
    build = Build(tmp_path, "clm build", env=without_fork(_env()))
    try:
        build.wait_for(started)
        workers = [_command(pid) for pid in build.below]
        os.killpg(build.process.pid, signal.SIGINT)
        code, output, _ = build.end(timeout=HANG_GUARD)
    finally:
        build.kill()
    assert any("spawn_main" in worker for worker in workers), workers
    assert code == 130, output
    assert "clm: interrupted" in output
    assert "Traceback" not in output, output
    assert build.survivors() == []


@pytest.mark.parametrize("command", list(COMMANDS))
def test_ctrl_c_while_waiting_for_another_build_ends_at_once_without_a_traceback(tmp_path, command):
    from clm.state import lock

    root = tmp_path / "course"
    sleepy_course(root)
    held = root / ".clm/tasks.lock"
    assert lock.acquire(held)  # another build of the course, as far as clm can tell
    try:
        build = Build(root, command)
        try:
            # Not earlier: Ctrl-C while Python still imports doit is doit's own traceback.
            build.wait_to_hear("waiting for it", timeout=HANG_GUARD)
            os.killpg(build.process.pid, signal.SIGINT)
            code, output, _ = build.end(timeout=HANG_GUARD)
        finally:
            build.kill()
    finally:
        lock.release(held)
    assert code == 130, output
    assert "interrupted" in output
    assert "Traceback" not in output, output
