"""Damaged state and cache files: a message and a way out, never a traceback.

The state records what was built and cannot be guessed back: a damaged one
stops the build with the file and how to reset it. The cache holds only what
clm can compute again: a damaged one is put aside and replaced, and an entry
that cannot be used is dropped and computed again.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e.conftest import YAML_SPEC
from tests.e2e.helpers import output_files, run_clm, run_doit, work_counts

pytestmark = pytest.mark.slow

TYPES = "slides/module_100_basics/topic_110_variables/slides_types.py"
FLOW = "slides/module_100_basics/topic_100_intro/pu/program_flow.puml"
GARBAGE = b"not a database, just some bytes\n" * 64


def _damage(path):
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    path.write_bytes(GARBAGE)


@pytest.mark.parametrize(
    "command", [("build", YAML_SPEC), ("status",), ("jobs", "list"), ("workers", "list")]
)
def test_a_damaged_state_names_the_file_and_the_reset(course_copy, command):
    _damage(course_copy / ".clm/state.sqlite")
    before = output_files(course_copy / "output")
    result = run_clm(course_copy, *command)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: .clm/state.sqlite: the build state cannot be read")
    assert "`rm .clm/state.sqlite*`" in line
    assert output_files(course_copy / "output") == before


def test_plain_doit_reports_a_damaged_state_without_a_traceback(course_copy):
    _damage(course_copy / ".clm/state.sqlite")
    result = run_doit(course_copy)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    assert "ERROR: .clm/state.sqlite: the build state cannot be read" in result.stderr


def test_the_reset_the_message_names_works(course_copy):
    state = course_copy / ".clm/state.sqlite"
    _damage(state)
    for path in course_copy.glob(".clm/state.sqlite*"):
        path.unlink()
    before = output_files(course_copy / "output")
    result = run_clm(course_copy, "build", YAML_SPEC)
    assert result.returncode == 0, result.stdout + result.stderr
    assert work_counts(result)["kernels"] == 0  # the cache still has every execution
    assert output_files(course_copy / "output") == before


@pytest.mark.parametrize(
    "command", [("status",), ("cache",), ("cache", "clear"), ("build", YAML_SPEC)]
)
def test_a_damaged_cache_is_replaced_with_a_warning(course_copy, command):
    _damage(course_copy / ".clm/cache.sqlite")
    result = run_clm(course_copy, *command)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "warning: .clm/cache.sqlite: the results cache could not be read" in result.stderr
    assert (course_copy / ".clm/cache.sqlite.damaged").read_bytes() == GARBAGE
    with sqlite3.connect(course_copy / ".clm/cache.sqlite") as conn:
        conn.execute("select count(*) from executions").fetchone()


def test_a_rebuild_after_a_damaged_cache_runs_the_code_again(course_copy):
    _damage(course_copy / ".clm/cache.sqlite")
    (course_copy / ".clm/executed" / TYPES).mkdir(parents=True, exist_ok=True)
    for notebook in (course_copy / ".clm/executed" / TYPES).iterdir():
        notebook.unlink()
    before = output_files(course_copy / "output")
    result = run_doit(course_copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert work_counts(result)["kernels"] == 1
    assert output_files(course_copy / "output") == before


def test_cache_import_refuses_a_file_that_is_no_cache(course_copy, tmp_path):
    stranger = tmp_path / "notes.txt"
    stranger.write_text("shopping list\n")
    before = (course_copy / ".clm/cache.sqlite").stat().st_size
    result = run_clm(course_copy, "cache", "import", str(stranger))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: {stranger}: not a clm cache export (file is not a database); export one "
        "with `clm cache export FILE` from a course that has a cache"
    )
    assert (course_copy / ".clm/cache.sqlite").stat().st_size == before


def _rerun(course_copy, folder):
    for path in (course_copy / folder).iterdir():
        path.unlink()
    return run_doit(course_copy)


def test_an_execution_entry_that_does_not_fit_is_dropped_and_run_again(course_copy):
    with sqlite3.connect(course_copy / ".clm/cache.sqlite") as conn:
        conn.execute("update executions set outputs = '[[[], 1]]'")  # one cell; decks have more
    before = output_files(course_copy / "output")
    result = _rerun(course_copy, f".clm/executed/{TYPES}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert work_counts(result)["kernels"] == 1
    assert output_files(course_copy / "output") == before
    again = _rerun(course_copy, f".clm/executed/{TYPES}")
    assert (work_counts(again)["kernels"], work_counts(again)["cached"]) == (0, 1)


def test_a_render_entry_with_other_pictures_is_dropped_and_rendered_again(course_copy):
    with sqlite3.connect(course_copy / ".clm/cache.sqlite") as conn:
        conn.execute(
            """update renders set files = cast('[["other.png", 1]]' || x'0a' || 'x' as blob)"""
        )
    before = output_files(course_copy / "output")
    result = _rerun(course_copy, f".clm/renders/{FLOW}")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "build again" not in result.stdout + result.stderr
    assert work_counts(result)["rendered"] == 1
    assert output_files(course_copy / "output") == before
