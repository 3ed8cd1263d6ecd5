"""Planning in two steps: plan() reads the course's files alone; probe() learns the rest."""

from __future__ import annotations

import os

import pytest

from clm.state.store import StateStore
from clm.state.workspace import Workspace
from clm.tasks.generator import task_dicts
from clm.tasks.prepare import plan, prepare_build, probe
from tests.conftest import deck_text, write_files

SPEC = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: One}
    topics: [good, bad]
"""
BROKEN_HEADER = '\n# %% tags=["keep"\nx = 1\n'  # an unclosed tag list


@pytest.fixture
def course(tmp_path, monkeypatch):
    write_files(
        tmp_path,
        {
            "course.yaml": SPEC,
            "slides/module_100_a/topic_100_good.py": deck_text("Gut", "Good"),
            "slides/module_100_a/topic_110_bad.py": deck_text("Schlecht", "Bad") + BROKEN_HEADER,
        },
    )
    monkeypatch.chdir(tmp_path)  # paths in tasks are relative to the course root
    return tmp_path


def _files(root) -> set[str]:
    return {
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    }


def test_plan_reads_the_course_alone_and_even_a_bad_deck_is_no_error_yet(course):
    before = _files(course)
    planned = plan("course.yaml")
    assert {deck.deck.path for deck in planned.plan.decks} == {
        "slides/module_100_a/topic_100_good.py",
        "slides/module_100_a/topic_110_bad.py",
    }
    assert planned.full and planned.templates is None
    assert _files(course) == before
    assert not Workspace.at(course).exists()


def test_probe_without_a_store_learns_the_facts_and_writes_nothing(course):
    before = _files(course)
    facts = probe(Workspace.at(course), plan("course.yaml"), None)
    assert list(facts.verdicts.errors) == ["slides/module_100_a/topic_110_bad.py"]
    error = str(facts.verdicts.errors["slides/module_100_a/topic_110_bad.py"])
    assert error.startswith("slides/module_100_a/topic_110_bad.py:13: malformed cell header")
    assert set(facts.environments) == {"python3"}
    assert set(facts.prepasses) == {
        "slides/module_100_a/topic_100_good.py",
        "slides/module_100_a/topic_110_bad.py",
    }
    assert _files(course) == before
    assert not Workspace.at(course).exists()


def test_probe_with_a_store_records_what_it_learned_for_the_next_planning(course):
    workspace = Workspace.at(course)
    workspace.make_folder()
    store = StateStore(workspace.state_file.resolve())
    kept = probe(workspace, plan("course.yaml"), store)
    store.close()  # the hashes written, as a run's backend writes them
    state = workspace.state_file.read_bytes()
    again = probe(workspace, plan("course.yaml"), None)
    assert (again.environments, again.prepasses, again.verdicts.warnings) == (
        kept.environments,
        kept.prepasses,
        kept.verdicts.warnings,
    )
    assert _errors(again) == _errors(kept)
    assert workspace.state_file.read_bytes() == state


def test_a_bad_deck_gets_a_failing_check_that_holds_back_only_its_own_tasks(course):
    build = prepare_build("course.yaml")
    bad = "slides/module_100_a/topic_110_bad.py"
    assert list(build.deck_errors) == [bad]
    tasks = {
        f"{task['basename']}:{task['name']}" if task.get("name") else task["basename"]: task
        for task in task_dicts(build)
    }
    check = tasks[f"{bad}:checks"]
    (action,) = check["actions"]
    assert action[1][0].message.startswith(f"{bad}:13: malformed cell header")
    held = [name for name, task in tasks.items() if f"{bad}:checks" in task.get("task_dep", [])]
    assert held and all(name.startswith(f"{bad}:") for name in held)
    assert all(
        not name.startswith(f"{bad}:") or name in held or name == f"{bad}:checks" for name in tasks
    )
    # The leak guard neither reads the bad deck nor waits for its outputs.
    for name, task in tasks.items():
        if name.startswith("check-public-outputs:"):
            assert bad not in task["file_dep"]
            assert not any(dep.startswith(f"{bad}:") for dep in task["task_dep"])


def _errors(facts) -> dict[str, str]:
    return {deck: str(error) for deck, error in facts.verdicts.errors.items()}
