"""The example course, built once per test session and copied for each change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.helpers import run_doit

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "python-basics"
YAML_SPEC = "course-specs/python-basics.yaml"
XML_SPEC = "course-specs/python-basics.xml"


def copy_sources(target: Path, *, fresh_mtimes: bool = False) -> Path:
    """The example course without build results, as a fresh checkout would have it."""
    ignore = shutil.ignore_patterns("output", ".clm", "__pycache__")
    copy = shutil.copy if fresh_mtimes else shutil.copy2
    shutil.copytree(EXAMPLE, target, ignore=ignore, copy_function=copy)
    return target


@pytest.fixture(scope="session")
def built_run(tmp_path_factory):
    """The example course built once with `doit`, as its author would: (root, result)."""
    root = copy_sources(tmp_path_factory.mktemp("yaml") / "python-basics")
    result = run_doit(root)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-5000:]
    return root, result


@pytest.fixture(scope="session")
def built(built_run) -> Path:
    return built_run[0]


@pytest.fixture
def course_copy(built, tmp_path) -> Path:
    """A copy of the built course (sources, state, cache and outputs) to change."""
    return Path(shutil.copytree(built, tmp_path / "python-basics", symlinks=True))
