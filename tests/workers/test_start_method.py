"""CLM_START_METHOD: how workers start, and a clear error for a method there is not."""

from __future__ import annotations

import multiprocessing

import pytest

from clm.workers.start_method import START_METHOD_VARIABLE, BadStartMethod, start_method
from tests.conftest import deck_text, write_files
from tests.e2e.helpers import run_clm, run_doit


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_the_variable_chooses_the_start_method(monkeypatch, method):
    monkeypatch.setenv(START_METHOD_VARIABLE, method)
    assert start_method() == method


def test_unset_it_is_the_platforms_default(monkeypatch):
    monkeypatch.delenv(START_METHOD_VARIABLE, raising=False)
    assert start_method() in multiprocessing.get_all_start_methods()


@pytest.fixture
def spawn_only(monkeypatch):
    """multiprocessing as on Windows: spawn is its only start method."""
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False: None)


def test_without_fork_the_default_is_spawn(monkeypatch, spawn_only):
    monkeypatch.delenv(START_METHOD_VARIABLE, raising=False)
    assert start_method() == "spawn"


def test_without_fork_asking_for_it_names_the_one_method_there_is(monkeypatch, spawn_only):
    monkeypatch.setenv(START_METHOD_VARIABLE, "fork")
    with pytest.raises(BadStartMethod) as error:
        start_method()
    assert str(error.value) == (
        "CLM_START_METHOD='fork' is not a way to start worker processes here; set it to "
        "spawn, or unset it for the platform's default (spawn)"
    )


def test_an_unknown_method_is_a_usage_error_of_clm_build_and_of_doit(tmp_path, monkeypatch):
    root = tmp_path / "course"
    write_files(
        root,
        {
            "course.yaml": "name: {de: Kurs, en: Course}\nsections:\n"
            "  - name: {de: Eins, en: One}\n    topics: [a]\n",
            "dodo.py": "from clm.dodo import course_tasks\n"
            'DOIT_CONFIG, task_course = course_tasks("course.yaml")\n',
            "slides/module_100_a/topic_100_a.py": deck_text(),
        },
    )
    monkeypatch.setenv(START_METHOD_VARIABLE, "threads")
    with pytest.raises(BadStartMethod, match="CLM_START_METHOD='threads' is not a way"):
        start_method()
    said = "CLM_START_METHOD='threads' is not a way to start worker processes here; set it to "
    built = run_clm(root, "build")
    assert built.returncode == 2 and f"error: {said}" in built.stderr, built.stderr
    assert "Traceback" not in built.stderr
    doit = run_doit(root)
    assert doit.returncode == 3 and said in doit.stderr + doit.stdout
    assert "Traceback" not in doit.stderr
    assert not (root / "output").exists()
