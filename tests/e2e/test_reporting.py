"""What a build says, on a terminal (a real pseudo-terminal) and in a log (a pipe, as in CI)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import _env, run_clm
from tests.e2e.test_deck_encoding import SPEC  # two topics: first, second

CLEAR_LINE = "\r\x1b[2K"
FIRST = "slides/module_100_a/topic_100_first.py"
SECOND = "slides/module_100_a/topic_110_second.py"
FOREIGN = '\n# %% [markdown] lang="fr"\n# Bonjour\n'
WITHIN = 600  # seconds: a hang guard only


def _course(tmp_path):
    root = tmp_path / "course"
    write_files(
        root,
        {
            "course.yaml": SPEC,
            FIRST: deck_text("Erstes", "First") + FOREIGN,
            SECOND: deck_text("Zweites", "Second"),
        },
    )
    return root


def _on_a_terminal(root, *args: str) -> tuple[int, str]:
    """``clm ARGS`` with stdout and stderr on one pseudo-terminal; its exit code and output."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "clm", *args],
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env=_env(),
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: every writer closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    code = process.wait(timeout=WITHIN)
    # The terminal turns "\n" into "\r\n" on output.
    return code, b"".join(chunks).decode().replace("\r\n", "\n")


# What coverage.py (measuring the test run in CI) writes to the terminal itself, from
# a worker: beside the build's lines, and glued to its status line, as anything a
# worker writes past the Reporter would be.
COVERAGE_WARNING = re.compile(
    r"/\S*/coverage/\S*\.py:\d+: CoverageWarning: .*\n\s*self\.warn\(.*\)\n"
)


def _seen(output: str) -> list[str]:
    """The lines a terminal shows once it has erased what CLEAR_LINE erases."""
    output = COVERAGE_WARNING.sub("", output)
    return [line.rpartition(CLEAR_LINE)[2] for line in output.split("\n")]


def test_a_log_gets_whole_lines_and_a_terminal_a_line_redrawn_in_place(tmp_path):
    root = _course(tmp_path)
    warning = f'{FIRST}:13: warning: lang="fr" is not a language of the course'

    logged = run_clm(root, "build", timeout=WITHIN)
    assert logged.returncode == 0, logged.stdout + logged.stderr
    for text in (logged.stdout, logged.stderr):
        assert "\x1b" not in text and "\r" not in text
    assert any(line.startswith(warning) for line in logged.stderr.splitlines())

    (root / SECOND).write_text(deck_text("Zweites", "Second", "print(7 * 6)"))
    code, shown = _on_a_terminal(root, "build")
    assert code == 0, shown
    assert CLEAR_LINE in shown  # the progress line, redrawn
    seen = _seen(shown)
    # Nothing is glued to the status line, and none is left standing at the end.
    assert any(line.startswith(warning) for line in seen), shown
    assert any(line.startswith(".  ") and SECOND in line for line in seen), shown
    assert next(line for line in seen if " ran deck code " in line).startswith("clm: "), shown
    assert not any(" done · " in line for line in seen), shown
