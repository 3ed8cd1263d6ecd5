"""Which interpreter ``kernel-python`` names, and what is said when it cannot run kernels."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import pytest

from clm.errors import CourseError
from clm.execute.interpreter import check_ipykernel, described, kernel_python
from clm.spec.model import CourseSpec, Text
from tests.venvs import make_venv, write_distribution

LINE = 7


def _spec(root: Path, value: str | None) -> CourseSpec:
    return CourseSpec(
        root / "course.yaml", root, Text.plain("Course"), (), kernel_python=value,
        kernel_python_line=LINE,
    )  # fmt: skip


def _error(root: Path, value: str) -> str:
    with pytest.raises(CourseError) as raised:
        kernel_python(_spec(root, value))
    assert raised.value.path == root / "course.yaml" and raised.value.line == LINE
    return str(raised.value)


def test_without_the_key_decks_run_in_clms_own_python(tmp_path):
    assert kernel_python(_spec(tmp_path, None)) is None


def test_a_virtual_environment_stands_for_its_python_links_kept(tmp_path):
    python = make_venv(tmp_path / ".venv")
    assert python.is_symlink(), "a venv's python links to the base interpreter"
    # Followed, the link would name the base interpreter, without the venv's packages.
    assert kernel_python(_spec(tmp_path, ".venv")) == str(python)
    assert kernel_python(_spec(tmp_path, ".venv/")) == str(python)


def test_an_interpreter_file_relative_to_the_course_root_or_absolute(tmp_path, monkeypatch):
    python = make_venv(tmp_path / "envs" / "course")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the working directory plays no part
    assert kernel_python(_spec(tmp_path, "envs/course/bin/python")) == str(python)
    assert kernel_python(_spec(tmp_path, str(python))) == str(python)
    assert kernel_python(_spec(tmp_path, str(python.parent.parent))) == str(python)


def test_a_missing_virtual_environment_says_how_to_make_it(tmp_path):
    message = _error(tmp_path, ".venv")
    assert "kernel-python '.venv'" in message and "does not exist" in message
    assert "`python3 -m venv .venv && .venv/bin/python -m pip install ipykernel`" in message


def test_a_missing_venv_interpreter_names_the_venv_to_make(tmp_path):
    message = _error(tmp_path, "env/bin/python3")
    assert "`python3 -m venv env && env/bin/python -m pip install ipykernel`" in message


def test_a_folder_without_bin_python_is_no_virtual_environment(tmp_path):
    (tmp_path / "env").mkdir()
    message = _error(tmp_path, "env")
    assert "has no bin/python" in message
    assert "`python3 -m venv env && env/bin/python -m pip install ipykernel`" in message


def test_a_file_that_is_not_executable_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("no python")
    assert "is not an executable file" in _error(tmp_path, "notes.txt")


@pytest.mark.posix_only("runs a shell script as a program")
def test_an_executable_that_is_no_python_is_refused_with_what_it_said(tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'not today' >&2\nexit 3\n")
    fake.chmod(0o755)
    spec = _spec(tmp_path, "python")
    with pytest.raises(CourseError) as raised:
        described(spec, kernel_python(spec))
    assert raised.value.line == LINE
    assert "is no working Python" in str(raised.value) and "not today" in str(raised.value)


def test_an_interpreter_without_ipykernel_is_told_the_command_that_installs_it(tmp_path):
    make_venv(tmp_path / ".venv")
    spec = _spec(tmp_path, ".venv")
    python = kernel_python(spec)
    interpreter = described(spec, python)
    assert interpreter.ipykernel is None
    with pytest.raises(CourseError) as raised:
        check_ipykernel(spec, python, interpreter)
    assert raised.value.line == LINE
    assert "has no ipykernel" in str(raised.value)
    assert "`.venv/bin/python -m pip install ipykernel`" in str(raised.value)


def test_an_interpreter_with_ipykernel_passes(tmp_path):
    venv = tmp_path / ".venv"
    make_venv(venv)
    write_distribution(venv, "ipykernel", "6.29.5")
    spec = _spec(tmp_path, ".venv")
    python = kernel_python(spec)
    interpreter = described(spec, python)
    assert interpreter.ipykernel == "6.29.5"
    check_ipykernel(spec, python, interpreter)


@pytest.mark.posix_only("runs a shell script as a program")
def test_an_interpreter_that_prints_a_banner_that_is_not_utf8_is_still_understood(tmp_path):
    """A wrapper (an activation script, a noisy sitecustomize) may print before Python answers."""
    wrapper = tmp_path / "python"
    wrapper.write_bytes(
        b"#!/bin/sh\nprintf 'Gr\\374\\337e\\n'\nexec " + sys.executable.encode() + b' "$@"\n'
    )
    wrapper.chmod(0o755)
    spec = _spec(tmp_path, "python")
    interpreter = described(spec, kernel_python(spec))
    assert interpreter.version == platform.python_version()
