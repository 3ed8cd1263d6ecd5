"""The run tag: what names a build, and finding what a dead build left, with real processes.

Each test keeps its builds' records in a temporary folder of its own (TMPDIR
for the builds it starts, tempfile's folder for this process), so that
records other tests' killed builds left do not count here.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from clm.workers import run_tag


@pytest.fixture
def runs_here(tmp_path, monkeypatch) -> dict[str, str]:
    """Records in ``tmp_path``, for this process and the builds it starts (their environment)."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    # Set first, so that the tag a test gives this process is taken back after it.
    monkeypatch.setenv(run_tag.RUN_TAG_VARIABLE, "")
    monkeypatch.delenv(run_tag.RUN_TAG_VARIABLE)
    return {**os.environ, "TMPDIR": str(tmp_path)}


def _build(env: dict[str, str], body: str = "time.sleep(600)") -> tuple[subprocess.Popen, str]:
    """A process that tags itself as a build, then runs ``body``; and its tag."""
    code = textwrap.dedent(
        """
        import os, sys, time
        from clm.workers import run_tag
        from clm.state import lock
        print(run_tag.tag_this_run(), flush=True)
        """
    )
    build = subprocess.Popen(
        [sys.executable, "-c", code + body], env=env, stdout=subprocess.PIPE, text=True
    )
    return build, build.stdout.readline().strip()


def _killed(build: subprocess.Popen) -> None:
    build.kill()
    build.wait()
    build.stdout.close()


def _sleeper(tag: str) -> subprocess.Popen:
    return subprocess.Popen(["sleep", "608"], env={**os.environ, run_tag.RUN_TAG_VARIABLE: tag})


def _exec_done(*processes: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until the sleepers have exec'd (their environ)
        with contextlib.suppress(psutil.Error):
            if all(psutil.Process(p.pid).name() == "sleep" for p in processes):
                return
        time.sleep(0.02)


def _gone(process: subprocess.Popen) -> bool:
    deadline = time.monotonic() + 60  # only a hang: the sleep lasts 608 s otherwise
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return process.poll() is not None


def _records(folder: Path) -> list[str]:
    return sorted(path.name for path in (folder / run_tag.runs_folder().name).glob("*"))


def _name(tag: str) -> str:
    """The file name of a tag's record."""
    pid, token, _ = tag.split(":", 2)
    return f"{pid}-{token}"


@pytest.mark.posix_only("SIGKILLs a build (signal.SIGKILL is POSIX)")
def test_a_tag_names_a_build_that_runs_exactly_while_its_record_is_locked(runs_here, tmp_path):
    build, tag = _build(runs_here)
    try:
        pid, token, folder = tag.split(":", 2)
        assert pid == str(build.pid) and token.isalnum()
        assert folder == str(run_tag.runs_folder())
        assert _records(tmp_path) == [f"{pid}-{token}"]
        assert run_tag.owner_runs(tag)
    finally:
        _killed(build)
    assert not run_tag.owner_runs(tag)  # SIGKILL: the record is left, unlocked
    assert _records(tmp_path) == [f"{pid}-{token}"]
    assert not run_tag.owner_runs("not a tag")


def test_a_record_left_unlocked_says_its_build_ended_though_its_pid_runs(runs_here):
    # The pid of a killed build may be given to another process: the record decides.
    folder = run_tag.runs_folder()
    folder.mkdir()
    (folder / f"{os.getpid()}-abc123").write_text("")
    assert not run_tag.owner_runs(f"{os.getpid()}:abc123:{folder}")
    # With no record at all (a cleaner of the temporary folder took it), the pid decides:
    # a running build is never taken for dead.
    assert run_tag.owner_runs(f"{os.getpid()}:def456:{folder}")


def test_a_build_with_another_temporary_folder_is_judged_by_its_own_record(runs_here, tmp_path):
    # A build started with another TMPDIR keeps its record there, and its tag says where:
    # a build that looks for orphans here must leave its processes alone.
    other = tmp_path / "other"
    other.mkdir()
    elsewhere, elsewhere_tag = _build({**runs_here, "TMPDIR": str(other)})
    dead, dead_tag = _build(runs_here)
    _killed(dead)
    kept, orphan = _sleeper(elsewhere_tag), _sleeper(dead_tag)
    try:
        _exec_done(kept, orphan)
        assert run_tag.owner_runs(elsewhere_tag)
        ended = {process.pid for process in run_tag.end_orphans()}
        assert orphan.pid in ended and kept.pid not in ended
        assert kept.poll() is None
    finally:
        for process in (kept, orphan):
            process.kill()
            process.wait()
        _killed(elsewhere)


def test_a_build_that_ends_removes_its_record(runs_here, tmp_path):
    build, tag = _build(runs_here, "sys.exit(3)")
    assert build.wait(300) == 3
    build.stdout.close()
    assert _records(tmp_path) == []
    assert not run_tag.owner_runs(tag)


def test_this_process_owns_its_own_tag(runs_here):
    tag = run_tag.tag_this_run()
    assert run_tag.owns(tag) and run_tag.owner_runs(tag)
    assert run_tag.this_run() == tag


@pytest.mark.posix_only(reason="forks (os.fork)")
def test_a_worker_forked_by_a_build_does_not_keep_the_dead_builds_record(runs_here):
    # Under fork a worker shares the build's open files; it lets go of the record's as
    # it starts (clm.workers.lifetime.start_worker), so that the build's death shows.
    build, tag = _build(
        runs_here,
        """
if os.fork() == 0:
    lock.forget_inherited()
    print(os.getpid(), flush=True)
    time.sleep(600)
    os._exit(0)
time.sleep(600)
""",
    )
    worker = psutil.Process(int(build.stdout.readline()))
    try:
        assert run_tag.owner_runs(tag)
        _killed(build)
        assert worker.is_running()
        assert not run_tag.owner_runs(tag)
    finally:
        with contextlib.suppress(psutil.Error):
            worker.kill()


def test_the_processes_of_a_dead_build_end_and_those_of_a_running_one_stay(runs_here, tmp_path):
    dead, dead_tag = _build(runs_here)
    _killed(dead)
    running, running_tag = _build(runs_here)
    orphan, kept = _sleeper(dead_tag), _sleeper(running_tag)
    try:
        _exec_done(orphan, kept)
        ended = run_tag.end_orphans()
        assert orphan.pid in {process.pid for process in ended}
        assert _gone(orphan)
        assert kept.poll() is None
        # The dead build's record is dealt with; the running build's stays.
        assert _records(tmp_path) == [_name(running_tag)]
        assert run_tag.end_orphans() == []
    finally:
        for process in (orphan, kept):
            process.kill()
            process.wait()
        _killed(running)


def test_after_builds_that_ended_well_the_next_reads_no_process(runs_here):
    # psutil is loaded only to look through the machine's processes.
    build, _ = _build(runs_here, "sys.exit(0)")
    build.wait(300)
    build.stdout.close()
    check = (
        "import sys\nfrom clm.workers import run_tag\nrun_tag.tag_this_run()\n"
        "assert run_tag.end_orphans() == []\nprint('psutil' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], env=runs_here, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


@pytest.mark.posix_only(reason="starts a process in a session of its own with sh and setsid")
def test_a_build_ends_what_carries_its_tag_but_spares_its_own_children(runs_here):
    tag = run_tag.tag_this_run()
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


def test_a_tag_without_a_record_counts_while_its_pid_runs(runs_here):
    # A build that could keep no record (no temporary folder it may write) names itself
    # by its pid alone; a pid may be given again, so such a build is never taken for dead
    # while a process has it.
    assert run_tag.owner_runs(f"{os.getpid()}:")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # reaped: its pid is free
    assert not run_tag.owner_runs(f"{gone.pid}:")


def test_a_process_that_builds_again_keeps_its_tag_and_record(runs_here, tmp_path):
    tag = run_tag.tag_this_run()
    assert run_tag.tag_this_run() == tag
    assert _records(tmp_path) == [_name(tag)]
