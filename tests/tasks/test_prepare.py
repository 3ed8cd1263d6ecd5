"""Planning in two steps: plan() reads the course's files alone; probe() learns the rest."""

from __future__ import annotations

import os

import pytest

from clm.errors import CourseError
from clm.state.store import StateStore
from clm.state.workspace import Workspace
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


def test_a_build_stops_at_the_first_bad_deck_unless_it_keeps_bad_decks(course):
    with pytest.raises(CourseError, match=r"topic_110_bad\.py:13"):
        prepare_build("course.yaml")
    build = prepare_build("course.yaml", keep_bad_decks=True)
    assert list(build.deck_errors) == ["slides/module_100_a/topic_110_bad.py"]


def _errors(facts) -> dict[str, str]:
    return {deck: str(error) for deck, error in facts.verdicts.errors.items()}
