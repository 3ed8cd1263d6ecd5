"""A real build of a small course, started as a terminal starts it, stopped while a cell runs."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import _env, run_clm
from tests.e2e.test_watch import _alive, _descendants

COMMANDS = {"doit": ["-m", "doit"], "clm build": ["-m", "clm", "build"]}
SPEC = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: One}
    topics: [sleepy, quick, steady]
"""


def sleepy_course(root: Path, steady: str = "import time\ntime.sleep(1)") -> Path:
    """A course whose first deck runs ``time.sleep(30)``; returns the file its cell creates.

    The code ``steady`` of another deck keeps tasks finishing (and the doit
    process writing) while the sleep runs.
    """
    started = root / "cell-started"
    write_files(
        root,
        {
            "course.yaml": SPEC,
            "dodo.py": "from clm.dodo import course_tasks\n"
            'DOIT_CONFIG, task_course = course_tasks("course.yaml")\n',
            "slides/module_100_a/topic_100_sleepy/slides_sleepy.py": deck_text(
                "Schlaf",
                "Sleep",
                f"open({str(started)!r}, 'w').close()\nimport time\ntime.sleep(30)",
            ),
            "slides/module_100_a/topic_110_quick.py": deck_text("Schnell", "Quick"),
            "slides/module_100_a/topic_120_steady.py": deck_text("Stetig", "Steady", steady),
        },
    )
    return started


class Build:
    """`doit` or `clm build` in its own process group, as a terminal runs it."""

    def __init__(
        self,
        root: Path,
        command: str,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ):
        self.process = subprocess.Popen(
            [sys.executable, *COMMANDS[command], *args],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env or _env(),
            process_group=0,
        )
        self.below: set[int] = set()  # every process seen below the build
        self.said: list[str] = []  # the lines read while it ran (wait_to_hear)

    def wait_for(self, path: Path, timeout: float = 300) -> None:
        """Wait for ``path`` to appear, noting the build's processes meanwhile."""
        deadline = time.monotonic() + timeout
        while not path.exists():
            assert self.process.poll() is None, self.process.communicate()[0]
            assert time.monotonic() < deadline, f"no {path} after {timeout} s"
            self.below.update(_descendants(self.process.pid))
            time.sleep(0.05)
        time.sleep(0.3)  # the cell is in its sleep now
        self.below.update(_descendants(self.process.pid))

    def wait_to_hear(self, text: str, timeout: float = 300) -> None:
        """Read the build's output until a line holds ``text``."""
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.said):
            assert self.process.poll() is None, "".join(self.said) + self.process.communicate()[0]
            assert time.monotonic() < deadline, f"not said within {timeout} s: {text}"
            ready, _, _ = select.select([self.process.stdout], [], [], 0.5)
            if ready:
                self.said.append(self.process.stdout.readline())

    def end(self, timeout: float) -> tuple[int | None, str, float]:
        """(exit code or None when it hung, its output, seconds it took); a hung build is killed."""
        started = time.monotonic()
        heard = "".join(self.said)
        try:
            output, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None, heard + self.process.communicate()[0], time.monotonic() - started
        return self.process.returncode, heard + output, time.monotonic() - started

    def kill(self) -> None:
        for pid in [self.process.pid, *self.below, *_descendants(self.process.pid)]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def survivors(self, within: float = 30) -> list[str]:
        """The processes seen below the build that are still alive now that it ended.

        Two kinds are ending, not surviving, and get ``within`` seconds:
        multiprocessing's resource tracker and forkserver, which end when they
        read end-of-file from the build that exited, and a process killed a
        moment ago that is still releasing its memory (its command line is
        empty by then).
        """
        deadline = time.monotonic() + within
        while True:
            alive = [pid for pid in self.below if _alive(pid)]
            ending = [pid for pid in alive if _ending(_command(pid))]
            if not ending or time.monotonic() > deadline:
                return [_command(pid) for pid in alive]
            time.sleep(0.1)


def _ending(command: str) -> bool:
    _, _, argv = command.partition(": ")
    return argv.strip() in ("", "gone") or any(
        helper in argv for helper in ("resource_tracker", "forkserver")
    )


def last_run(root: Path) -> dict:
    result = run_clm(root, "status", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["last_run"]


def _command(pid: int) -> str:
    try:
        return f"{pid}: " + Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return f"{pid}: gone"
