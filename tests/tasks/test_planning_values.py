"""prepared_tasks gives a run the values of its tasks' virtual dependencies, and keeps its hashes
in the run's state store: passed to the run, not left in the process."""

from __future__ import annotations

from clm.state.checker import VIRTUAL_PREFIX
from clm.state.doit_state import DoitState
from clm.state.workspace import Workspace
from clm.tasks.generator import prepared_tasks
from tests.conftest import deck_text

SPEC = """\
name: Course
languages: [en]
sections:
  - name: One
    topics: [first]
"""
DECK = "slides/module_100_a/topic_100_first.py"


def test_every_virtual_dependency_of_the_tasks_gets_its_value(make_course, monkeypatch):
    spec = make_course(SPEC, {DECK: deck_text()})
    monkeypatch.chdir(spec.parent)
    state = DoitState(Workspace.at(spec.parent))
    build, tasks = prepared_tasks(spec, warn=False, state=state)
    virtual = {
        dep for task in tasks.values() for dep in task.file_dep if dep.startswith(VIRTUAL_PREFIX)
    }
    assert virtual and virtual <= set(state.values)
    assert state.values == build.values
    checker = state.checker()
    assert {checker.get_state(dep, None) for dep in virtual} == {build.values[d] for d in virtual}


def test_planning_keeps_its_hashes_in_the_runs_store(make_course, monkeypatch):
    spec = make_course(SPEC, {DECK: deck_text()})
    monkeypatch.chdir(spec.parent)
    state = DoitState(Workspace.at(spec.parent))
    prepared_tasks(spec, warn=False, state=state)
    store = state.opened()
    assert store is not None and store.has_new_hashes()  # for the run's backend to write


def test_planning_on_its_own_writes_its_hashes_before_it_returns(make_course, monkeypatch):
    spec = make_course(SPEC, {DECK: deck_text()})
    monkeypatch.chdir(spec.parent)
    prepared_tasks(spec, warn=False)
    hashed = Workspace.at(spec.parent).state().execute("select path from file_hashes")
    assert DECK in {path for (path,) in hashed}
