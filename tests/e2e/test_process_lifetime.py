"""Whatever a build starts ends with it, however the build ends, under every start method.

Each build runs in its own process group, as a terminal runs it, on a course
whose decks are stopped mid-cell: a Python cell that started a child
(``sleep 605``) and a daemon that forked twice into a session of its own
(``sleep 606``), and a Java cell in JJava. Each build carries a tag of its own
in its environment, which every process below it inherits: the test counts
those, never other processes on the machine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import _env, run_clm, run_doit, without_coverage_noise
from tests.e2e.stopping import COMMANDS
from tests.e2e.test_watch import Watcher

pytestmark = [
    pytest.mark.slow,
    pytest.mark.linux_only(reason="fork, setsid, SIGHUP and /proc of the processes a build left"),
]

CASE_VARIABLE = "CLM_TEST_CASE"
START_METHOD_VARIABLE = "CLM_START_METHOD"
# scripts/test.sh runs this file twice: in the whole suite for fork and forkserver, and
# in its spawn leg (CLM_START_METHOD=spawn) for spawn.
METHODS = (
    [os.environ[START_METHOD_VARIABLE]]
    if os.environ.get(START_METHOD_VARIABLE)
    else ["fork", "forkserver"]
)
HANG = 300  # seconds: only a hung build or a process that is never ended takes this long
PY_STARTED, JAVA_STARTED, GO_ON = "py-started", "java-started", "go-on"

PYTHON_CELL = """\
import os, subprocess, time
if not os.path.exists({go_on!r}):
    subprocess.Popen(['sleep', '605'])
    if os.fork() == 0:  # a daemon: forked twice, in a session of its own
        os.setsid()
        if os.fork() == 0:
            os.execvp('sleep', ['sleep', '606'])
        os._exit(0)
    os.wait()
    open({started!r}, 'w').close()
    time.sleep(120)"""
JAVA_DECK = """\
// j2 from 'macros.j2' import header
// {{{{ header("Java", "Java") }}}}

// %% [markdown] lang="de" tags=["slide"]
// ## Hallo

// %% [markdown] lang="en" tags=["slide"]
// ## Hello

// %%
new java.io.File("{started}").createNewFile();
if (!new java.io.File("{go_on}").exists()) {{ Thread.sleep(120000); }}
"""


def _course(root: Path, java: bool) -> None:
    topics = "[sleepy, {id: brewing, prog-lang: java}]" if java else "[sleepy]"
    files = {
        "course.yaml": "name: {de: Kurs, en: Course}\nsections:\n"
        f"  - name: {{de: Eins, en: One}}\n    topics: {topics}\n",
        "dodo.py": "from clm.dodo import course_tasks\n"
        'DOIT_CONFIG, task_course = course_tasks("course.yaml")\n',
        "slides/module_100_a/topic_100_sleepy.py": deck_text(
            "Schlaf",
            "Sleep",
            PYTHON_CELL.format(started=str(root / PY_STARTED), go_on=str(root / GO_ON)),
        ),
    }
    if java:
        files["slides/module_100_a/topic_110_brewing.java"] = JAVA_DECK.format(
            started=root / JAVA_STARTED, go_on=root / GO_ON
        )
    write_files(root, files)


def _carrying(case: str) -> list[psutil.Process]:
    """The living processes (of this user) whose environment carries ``case``."""
    found = []
    for process in psutil.process_iter(["uids"]):
        uids = process.info["uids"]
        if uids is None or uids.real != os.getuid():
            continue
        with contextlib.suppress(psutil.Error):
            if (
                process.environ().get(CASE_VARIABLE) == case
                and process.status() != psutil.STATUS_ZOMBIE
            ):
                found.append(process)
    return found


def _described(processes: list[psutil.Process]) -> list[str]:
    described = []
    for process in processes:
        with contextlib.suppress(psutil.Error):
            described.append(f"{process.pid}: {' '.join(process.cmdline())}")
    return described


def _left_after_a_while(case: str) -> list[str]:
    """What still carries ``case`` once it had a generous while to end."""
    deadline = time.monotonic() + HANG
    while (left := _carrying(case)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return _described(left)


def _end(case: str) -> None:
    for process in _carrying(case):
        with contextlib.suppress(psutil.Error):
            process.kill()


class Run:
    """One build of the course, in a process group of its own as a terminal runs it, with a
    tag of its own and the start method under test.

    Its output goes to a file: a daemon a cell started holds on to a pipe for good.
    """

    def __init__(self, root: Path, method: str, command: str, args: tuple[str, ...]):
        self.root = root
        self.case = uuid.uuid4().hex
        self.log = root.parent / f"{self.case}.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [sys.executable, *COMMANDS[command], *args],
                cwd=root,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**_env(), CASE_VARIABLE: self.case, START_METHOD_VARIABLE: method},
                process_group=0,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def mid_cell(self, *started: str) -> list[str]:
        """Wait until each cell of ``started`` runs; what carries the tag by then."""
        deadline = time.monotonic() + HANG
        while not all((self.root / name).exists() for name in started):
            assert self.process.poll() is None, self.output()
            assert time.monotonic() < deadline, f"no {started} after {HANG} s"
            time.sleep(0.05)
        # The daemon's grandchild becomes `sleep 606` a moment after the cell went on.
        described = _described(_carrying(self.case))
        while PY_STARTED in started and not _has_cell_processes(described):
            assert time.monotonic() < deadline, f"no cell processes after {HANG} s: {described}"
            time.sleep(0.05)
            described = _described(_carrying(self.case))
        return described

    def stop(self, signum: int, group: bool) -> int | None:
        """Send ``signum`` to the build (or its group); its exit code, None if it hung."""
        (os.killpg if group else os.kill)(self.process.pid, signum)
        try:
            return self.process.wait(timeout=HANG)
        except subprocess.TimeoutExpired:
            return None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        _end(self.case)
        for name in (PY_STARTED, JAVA_STARTED):
            (self.root / name).unlink(missing_ok=True)


def _has_cell_processes(described: list[str]) -> bool:
    return any(line.endswith("sleep 605") for line in described) and any(
        line.endswith("sleep 606") for line in described
    )


def _cell_processes(described: list[str]) -> None:
    assert any(line.endswith("sleep 605") for line in described), described
    assert any(line.endswith("sleep 606") for line in described), described


@pytest.mark.parametrize("method", METHODS)
def test_a_build_stopped_alone_leaves_no_worker_kernel_or_cell_process(tmp_path, method):
    root = tmp_path / "course"
    _course(root, java=False)
    stops = [
        ("doit", ("-n", "2"), signal.SIGKILL, False),  # its workers notice and end it all
        ("clm build", ("-j", "2"), signal.SIGTERM, False),
        ("clm build", ("-j", "2"), signal.SIGINT, True),  # Ctrl-C in the terminal
    ]
    for command, args, signum, group in stops:
        run = Run(root, method, command, args)
        try:
            _cell_processes(run.mid_cell(PY_STARTED))
            code = run.stop(signum, group)
            left = _left_after_a_while(run.case)
        finally:
            run.close()
        output = run.output()
        what = f"{command} {' '.join(args)}, {signal.Signals(signum).name}"
        assert left == [], f"{what} left processes running:\n{output}"
        if signum != signal.SIGKILL:
            assert code == 128 + signum, f"{what}:\n{output}"
            assert "Traceback" not in without_coverage_noise(output), output


def _next_build(root: Path, method: str) -> None:
    """The next build after a killed one, by each entry point in turn (each ends what dead
    builds left, as it starts)."""
    if method == "spawn":
        Watcher(root, ("clm", "watch")).stop()  # it has built the course when it watches
        return
    if method == "forkserver":
        result = run_doit(root, "-n", "2")
    else:
        result = run_clm(root, "build", "-j", "2")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("method", METHODS)
def test_a_whole_process_group_stopped_leaves_nothing_once_the_next_build_ran(
    tmp_path, monkeypatch, method
):
    root = tmp_path / "course"
    _course(root, java=True)
    # A closed terminal: SIGHUP to the group. The build ends what it started.
    run = Run(root, method, "clm build", ("-j", "2"))
    try:
        running = run.mid_cell(PY_STARTED, JAVA_STARTED)
        code = run.stop(signal.SIGHUP, group=True)
        left = _left_after_a_while(run.case)
    finally:
        run.close()
    output = run.output()
    _cell_processes(running)
    assert any("java" in line for line in running), running
    assert left == [], output
    assert code == 128 + signal.SIGHUP, output
    assert "Traceback" not in without_coverage_noise(output), output
    # SIGKILL to the group (a CI runner, `timeout -s KILL`): nothing could clean up,
    # and the kernels, in sessions of their own, run on. The next build ends them.
    run = Run(root, method, "doit", ("-n", "2"))
    try:
        run.mid_cell(PY_STARTED, JAVA_STARTED)
        run.stop(signal.SIGKILL, group=True)
        orphans = _described(_carrying(run.case))
        (root / GO_ON).touch()
        monkeypatch.setenv(START_METHOD_VARIABLE, method)
        _next_build(root, method)
        left = _left_after_a_while(run.case)
    finally:
        run.close()
    _cell_processes(orphans)
    assert left == []
