"""Planning with a course's own Python: its fingerprint, asked for only when it can have
changed, and its problems as spec errors before anything is built."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from clm.errors import CourseError
from clm.execute import fingerprints
from clm.tasks.generator import task_dicts
from clm.tasks.prepare import prepare_build
from tests.conftest import deck_text
from tests.venvs import make_venv, site_packages, write_distribution

SPEC = """\
name: Course
languages: [en]
kernel-python: {python}
sections:
  - name: One
    topics: [first]
"""
DECK = "slides/module_100_a/topic_100_first.py"


@pytest.fixture
def course(make_course, monkeypatch):
    """A course whose interpreter is a wrapper that counts its runs: (spec, venv, runs)."""

    def make(python: str = "bin/python") -> tuple[Path, Path, Path]:
        spec = make_course(SPEC.format(python=python), {DECK: deck_text()})
        root = spec.parent
        venv = root / ".venv"
        make_venv(venv)
        write_distribution(venv, "ipykernel", "6.29.5")
        runs = root / "runs.log"
        wrapper = root / "bin" / "python"
        wrapper.parent.mkdir()
        wrapper.write_text(f'#!/bin/sh\necho run >> "{runs}"\nexec "{venv}/bin/python" "$@"\n')
        wrapper.chmod(0o755)
        monkeypatch.chdir(root)
        return spec, venv, runs

    return make


def _runs(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.mark.posix_only("runs a shell script as a program")
def test_the_interpreter_is_asked_once_and_again_only_after_an_install(course):
    spec, venv, runs = course()
    first = prepare_build(spec)
    assert first.kernel_python == str(spec.parent / "bin" / "python")
    assert first.environments["python3"] != fingerprints.of_kernel("python3").value
    assert _runs(runs) == 1
    again = prepare_build(spec)
    assert _runs(runs) == 1, "a no-op planning starts no subprocess"
    assert again.environments["python3"] == first.environments["python3"]
    write_distribution(venv, "coursepkg", "1.0")
    installed = prepare_build(spec)
    assert _runs(runs) == 2
    assert installed.environments["python3"] != first.environments["python3"]
    assert (
        prepare_build(spec).environments["python3"] == installed.environments["python3"]
        and _runs(runs) == 2
    )


@pytest.mark.posix_only("runs a shell script as a program")
def test_the_execution_jobs_carry_the_interpreter(course):
    spec, _, _ = course()
    build = prepare_build(spec)
    jobs = [
        action[1][0]
        for task in task_dicts(build)
        if task.get("name") == "execute"
        for action in task["actions"]
    ]
    assert jobs and all(job.kernel_python == build.kernel_python for job in jobs)
    assert all(job.environment == build.environments["python3"] for job in jobs)


@pytest.mark.posix_only("runs a shell script as a program")
def test_removing_ipykernel_is_noticed_from_the_stamp(course):
    spec, venv, _ = course()
    prepare_build(spec)
    shutil.rmtree(site_packages(venv) / "ipykernel-6.29.5.dist-info")
    with pytest.raises(CourseError) as raised:
        prepare_build(spec)
    assert raised.value.line == 3 and "has no ipykernel" in str(raised.value)


@pytest.mark.posix_only("runs a shell script as a program")
def test_a_kept_description_of_a_replaced_interpreter_is_not_trusted(course):
    spec, _, runs = course()
    prepare_build(spec)
    wrapper = spec.parent / "bin" / "python"
    stat = wrapper.stat()
    wrapper.write_text(wrapper.read_text() + "\n")  # another interpreter at the same path
    os.utime(wrapper, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    prepare_build(spec)
    assert _runs(runs) == 2


def test_without_the_key_the_build_is_as_before(make_course, monkeypatch):
    spec = make_course(SPEC.replace("kernel-python: {python}\n", ""), {DECK: deck_text()})
    monkeypatch.chdir(spec.parent)
    build = prepare_build(spec)
    assert (
        build.kernel_python is None
        and build.environments["python3"] == fingerprints.of_kernel("python3").value
    )
