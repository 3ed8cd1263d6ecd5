"""`clm clean` and `doit clean` during a build: they refuse, naming the build, and remove nothing.

They used to ignore the build lock: a clean during a build removed the outputs
written so far, and the build then exited 0 claiming outputs that did not exist.
"""

from __future__ import annotations

import os
import signal

import pytest

from tests.e2e.helpers import output_files, run_clm, run_doit
from tests.e2e.stopping import Build, sleepy_course

pytestmark = [
    pytest.mark.slow,
    pytest.mark.posix_only(reason="Ctrl-C as SIGINT to the build's process group (os.killpg)"),
]


def test_clean_refuses_while_a_build_runs_and_works_after_it(tmp_path):
    root = tmp_path / "course"
    started = sleepy_course(root)
    build = Build(root, "clm build")
    try:
        build.wait_for(started)
        written = output_files(root / "output")
        assert written, "the build wrote outputs before the sleeping cell"
        cleaned = run_clm(root, "clean")
        doit_cleaned = run_doit(root, "-f", "dodo.py", "clean")  # loader options first
        assert output_files(root / "output").keys() >= written.keys()
        os.killpg(build.process.pid, signal.SIGINT)
        build.end(timeout=120)
    finally:
        build.kill()
    pid = build.process.pid
    assert cleaned.returncode == 2, cleaned.stderr
    assert cleaned.stderr.startswith(
        f"error: a build of this course is running (process {pid}) and clm clean would "
        "remove what it writes; let it finish (or stop it: Ctrl-C, or kill "
    )
    assert "Traceback" not in cleaned.stderr
    assert doit_cleaned.returncode != 0
    assert f"running (process {pid}) and doit clean would remove" in doit_cleaned.stderr
    assert "Traceback" not in doit_cleaned.stderr

    cleaned = run_clm(root, "clean")  # no build runs now
    assert cleaned.returncode == 0, cleaned.stderr
    assert not any(path.is_file() for path in (root / "output").rglob("*"))
