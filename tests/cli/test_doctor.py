"""`clm doctor` on the course's Python, and the kernel-python line `clm init` writes."""

from __future__ import annotations

import sys

from clm.cli.doctor import kernel_python_checks
from clm.scaffold import scaffold
from clm.spec import load_spec
from tests.conftest import deck_text
from tests.venvs import make_venv, write_distribution

SPEC = """\
name: Course
sections:
  - name: One
    topics: [first]
"""
FILES = {"slides/module_100_a/topic_100_first.py": deck_text()}


def test_a_course_without_the_key_runs_its_decks_in_clms_own_environment(make_course):
    spec = make_course(SPEC, FILES)
    (check,) = kernel_python_checks(spec.parent)
    assert check.found and check.path == sys.executable
    assert "course.yaml: clm's own environment" in check.purpose


def test_the_course_python_is_shown_with_its_ipykernel(make_course):
    spec = make_course("kernel-python: .venv\n" + SPEC, FILES)
    venv = spec.parent / ".venv"
    make_venv(venv)
    write_distribution(venv, "ipykernel", "6.29.5")
    (check,) = kernel_python_checks(spec.parent)
    assert check.found and check.path == str(venv / "bin" / "python")
    assert check.version.endswith("ipykernel 6.29.5")
    assert "kernel-python .venv" in check.purpose


def test_a_broken_course_python_is_reported_with_its_fix(make_course):
    spec = make_course("kernel-python: .venv\n" + SPEC, FILES)
    make_venv(spec.parent / ".venv")
    (check,) = kernel_python_checks(spec.parent)
    assert not check.found
    assert (
        "course.yaml:1:" in check.fix and "`.venv/bin/python -m pip install ipykernel`" in check.fix
    )


def test_clm_init_writes_a_commented_kernel_python_line(tmp_path):
    scaffold(tmp_path)
    text = (tmp_path / "course.yaml").read_text()
    comment = text.splitlines()[text.splitlines().index("# kernel-python: .venv") - 1]
    assert comment.startswith("# ") and "virtual environment" in comment
    assert load_spec(tmp_path / "course.yaml").kernel_python is None
