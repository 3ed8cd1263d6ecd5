"""What clm prints reaches a console of any encoding: a character it lacks becomes an
escape, never a UnicodeEncodeError (the build with such a title: tests/e2e/test_deck_encoding)."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from clm.encoding import tolerate_any_text
from tests.conftest import deck_text, write_files
from tests.e2e.helpers import _env, run_clm

ROCKET = "\U0001f680"


def _console(encoding: str, errors: str = "strict") -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors=errors)


def _written(stream: io.TextIOWrapper) -> bytes:
    stream.flush()
    return stream.buffer.getvalue()


def test_a_character_the_console_lacks_is_written_as_an_escape():
    console = _console("cp1252")
    tolerate_any_text(console)
    console.write(f"Grüße {ROCKET} → x\n")
    # What cp1252 has (ü, ß) stays as it is: its console shows it.
    assert _written(console) == "Grüße \\U0001f680 \\u2192 x\n".encode("cp1252")


def test_a_console_in_a_c_locale_gets_escapes_too():
    console = _console("ascii", "surrogateescape")
    tolerate_any_text(console)
    console.write(f"{ROCKET}\n")
    assert _written(console) == b"\\U0001f680\n"


@pytest.mark.parametrize(
    ("encoding", "errors"),
    [("utf-8", "strict"), ("UTF8", "strict"), ("utf-16", "strict"), ("cp1252", "replace")],
)
def test_a_console_that_takes_every_character_or_whose_handler_was_chosen_is_left_alone(
    encoding, errors
):
    console = _console(encoding, errors)
    tolerate_any_text(console)
    assert console.errors == errors


def test_streams_that_are_not_consoles_are_left_alone(monkeypatch):
    text = io.StringIO()
    tolerate_any_text(text)
    monkeypatch.setattr(sys, "stdout", None)  # pythonw on Windows has no console
    tolerate_any_text()
    text.write(ROCKET)
    assert text.getvalue() == ROCKET


def test_every_clm_command_prints_to_an_ascii_console(tmp_path):
    """`clm plan` prints a title with an emoji, `clm doctor` its em dashes."""
    write_files(
        tmp_path,
        {
            "course.yaml": "name: Course\nsections:\n  - name: One\n    topics: [first]\n",
            "slides/module_100_a/topic_100_first.py": deck_text(f"Erstes {ROCKET}", "First →"),
        },
    )
    ascii_console = {"PYTHONIOENCODING": "ascii"}
    plan = run_clm(tmp_path, "plan", env=ascii_console)
    assert plan.returncode == 0, plan.stderr
    assert "01 Erstes \\U0001f680.html" in plan.stdout and "01 First \\u2192.html" in plan.stdout
    doctor = run_clm(tmp_path, "doctor", env=ascii_console)
    assert "UnicodeEncodeError" not in doctor.stderr
    assert doctor.returncode in (0, 1), doctor.stderr  # 1: a tool is missing on this machine
    assert " \\u2014 " in doctor.stdout


def test_a_spawned_worker_prints_to_a_cp1252_console(tmp_path):
    """A spawned worker's streams are made anew, with a strict handler, in every worker."""
    script = (
        "from clm.workers.pool import WorkerPool\n"
        "pool = WorkerPool(1)\n"
        f"print(pool.submit(print, ('worker {ROCKET}',), {{}}).result()[0])\n"
        "pool.close()\n"
    )
    env = {**_env(), "PYTHONIOENCODING": "cp1252", "CLM_START_METHOD": "spawn"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [b"worker \\U0001f680", b"ok"], result.stderr
