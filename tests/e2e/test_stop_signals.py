"""`kill`, a closed terminal and `kill -9` during a build: `clm status` tells the truth after each.

SIGTERM and SIGHUP used to end the build process on the spot: no end was
recorded and the lock and workers were left to the operating system. Now they
end it as Ctrl-C does. After a SIGKILL nothing can be recorded, so the report
tells a run that never ended from a live one by its process holding the lock:
its pid alone may belong to another process by then.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from clm.state import lock
from clm.state.workspace import Workspace
from tests.e2e.helpers import run_clm, without_coverage_noise
from tests.e2e.stopping import COMMANDS, Build, last_run, sleepy_course

pytestmark = [
    pytest.mark.slow,
    pytest.mark.posix_only(reason="sends SIGHUP and SIGKILL to process groups"),
]

HANG = 120  # seconds: only a hung build takes this long


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(
    ("signum", "to_group"),
    [(signal.SIGTERM, False), (signal.SIGHUP, True)],
    ids=["SIGTERM to the build (kill PID)", "SIGHUP to its process group (terminal closed)"],
)
def test_sigterm_and_sighup_end_the_build_as_ctrl_c_does(tmp_path, command, signum, to_group):
    root = tmp_path / "course"
    started = sleepy_course(root)
    build = Build(root, command)
    try:
        build.wait_for(started)
        (os.killpg if to_group else os.kill)(build.process.pid, signum)
        code, output, _ = build.end(timeout=HANG)
    finally:
        build.kill()
    assert code == 128 + signum, output
    name = signal.Signals(signum).name
    assert f"clm: stopped by {name}; the outputs finished so far are kept" in output
    assert "Traceback" not in without_coverage_noise(output), output
    assert build.survivors() == []
    assert not lock.is_locked(Workspace.at(root).lock_file)
    run = last_run(root)
    assert run["result"] == "interrupted" and run["ended"] is not None


def test_after_sigkill_a_run_whose_pid_another_process_has_is_interrupted(tmp_path):
    root = tmp_path / "course"
    started = sleepy_course(root)
    build = Build(root, "clm build")
    try:
        build.wait_for(started)
        build.kill()  # SIGKILL to the build and every process below it
        build.end(timeout=HANG)
    finally:
        build.kill()
    assert last_run(root)["result"] == "interrupted"
    # The pid is free again: on a busy machine (or soon, in a container) another
    # process gets it. Here that process is one of ours, which holds no lock.
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        with sqlite3.connect(root / ".clm/state.sqlite") as state:
            state.execute("update runs set pid = ?", (other.pid,))
        run = last_run(root)
        jobs = run_clm(root, "jobs", "list", "--json")
    finally:
        other.kill()
        other.wait()
    assert run["result"] == "interrupted"
    statuses = {job["status"] for job in json.loads(jobs.stdout)["jobs"]}
    assert "running" not in statuses and "interrupted" in statuses, statuses
