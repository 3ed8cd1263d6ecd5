"""Planning a build's cross-references: the whole course is linked to even when a part is
built, the links are a dependency of the HTML and notebooks only, and the option."""

from __future__ import annotations

import pytest

from clm.errors import CourseError
from clm.tasks.generator import task_dicts
from clm.tasks.prepare import prepare_build
from clm.tasks.xrefs import FAIL_VARIABLE, fail_on_missing
from tests.conftest import deck_text, write_files

SPEC = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: One}
    topics: [first, second]
"""
FIRST = "slides/module_100_a/topic_100_first.py"
LINK = "\n# %% [markdown]\n# See [the second](clm:second).\n"


@pytest.fixture
def course(tmp_path, monkeypatch):
    write_files(
        tmp_path,
        {
            "course.yaml": SPEC,
            FIRST: deck_text("Erstes", "First") + LINK,
            "slides/module_100_a/topic_110_second.py": deck_text("Zweites", "Second"),
        },
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(FAIL_VARIABLE, raising=False)
    return tmp_path


def test_a_build_of_one_topic_still_links_to_the_others(course):
    build = prepare_build("course.yaml", only="first", keep=False)
    assert [d.deck.path for d in build.plan.decks] == [FIRST]
    assert build.xrefs.warnings == {} and build.deck_errors == {}
    hrefs = {href for pairs in build.xrefs.hrefs[FIRST].values() for _, href in pairs}
    assert hrefs == {
        "",  # the code outputs
        "02%20Second.html",
        "02%20Zweites.html",
        "02%20Second.ipynb",
        "02%20Zweites.ipynb",
    }


def test_only_the_html_and_notebooks_of_a_linking_deck_depend_on_its_links(course):
    build = prepare_build("course.yaml", keep=False)
    dependency, _ = build.xrefs.dependencies[FIRST]
    assert dependency in build.values
    depending = [
        task
        for task in task_dicts(build)
        if any(dep.startswith("clm:links:") for dep in task.get("file_dep", ()))
    ]
    assert {task["basename"] for task in depending} == {FIRST}
    assert {task["name"].rsplit(".", 1)[-1] for task in depending} == {"html", "ipynb"}
    assert all(dependency in task["file_dep"] for task in depending)


def test_the_variable_and_the_flag(monkeypatch):
    monkeypatch.delenv(FAIL_VARIABLE, raising=False)
    assert fail_on_missing(None) is False
    for value, meant in (("1", True), ("Yes", True), ("true", True), ("0", False), ("no", False)):
        monkeypatch.setenv(FAIL_VARIABLE, value)
        assert fail_on_missing(None) is meant
        assert fail_on_missing(not meant) is (not meant)  # the command line wins
    monkeypatch.setenv(FAIL_VARIABLE, "maybe")
    with pytest.raises(CourseError, match="says neither yes nor no"):
        fail_on_missing(None)
