"""A real `doit auto`: every saved deck gets the checks of `clm build`.

A deck failing them fails its own outputs, which keep their last good version,
the history records the failures, and the watcher keeps rebuilding the other
decks; warnings are printed on every save of a deck that has them.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e import test_watch
from tests.e2e.conftest import YAML_SPEC
from tests.e2e.helpers import run_clm
from tests.e2e.test_watch import (
    CYCLE_DONE,
    TYPES,
    VARIABLES,
    Watcher,
    changed,
    outputs_of,
    snapshot,
)

pytestmark = pytest.mark.slow
watcher = test_watch.watcher  # the fixture: a real `doit auto` on a copy of the example

GERMAN_HEADER = '# %% [markdown] lang="de" tags=["slide"]\n#\n# ## Namen für Werte'
ENGLISH_HTML = (
    "output/shared/Python Basics-en/Slides/Html/Completed/Week 1 Basics/03 Variables.html"
)


def _failed_jobs(root) -> list[dict]:
    listing = run_clm(root, "jobs", "list", "--failed", "--json")
    assert listing.returncode == 0, listing.stderr
    return json.loads(listing.stdout)["jobs"]


def _edit_types(root) -> None:
    deck = root / TYPES
    deck.write_text(deck.read_text().replace("## Converting", "## Converting values"))


def test_a_broken_cell_header_fails_the_decks_outputs_and_keeps_them(watcher, course_copy):
    deck = course_copy / VARIABLES
    good = deck.read_text()
    assert GERMAN_HEADER in good
    line = good[: good.index(GERMAN_HEADER)].count("\n") + 1
    before = snapshot(course_copy)
    deck.write_text(good.replace('tags=["slide"]\n#\n# ## Namen', 'tags=["slide"\n#\n# ## Namen'))
    lines = watcher.cycle()
    report = "\n".join(lines)
    assert f"FAILED {VARIABLES}:{line}: malformed cell header" in report
    outputs = outputs_of(course_copy, VARIABLES, copies=False)  # one task per variant
    assert all(f"    {path}" in lines for path in outputs)
    # Only the deck's own tasks fail (the leak guard, which reads every deck, may run).
    assert re.search(rf"task\(s\) run, {len(outputs) + 1} failed", lines[-1]), lines[-1]
    assert changed(before, snapshot(course_copy)) == set()  # the last good versions stay
    assert "Namen für Werte" not in (course_copy / ENGLISH_HTML).read_text()
    failed = _failed_jobs(course_copy)
    assert {job["task"] for job in failed} == {
        *(f"{VARIABLES}:{path}" for path in outputs),
        f"{VARIABLES}:execute",
    }
    assert all(f"{VARIABLES}:{line}: malformed cell header" in job["error"] for job in failed)

    # Another deck's save still rebuilds, and the broken deck is not touched.
    _edit_types(course_copy)
    lines = watcher.cycle()
    assert " 0 failed" in lines[-1]
    assert changed(before, snapshot(course_copy)) == outputs_of(course_copy, TYPES, lang="en")

    # The fix rebuilds the deck.
    deck.write_text(good.replace("## Names for values", "## Names for things"))
    lines = watcher.cycle()
    assert " 0 failed" in lines[-1]
    assert "Names for things" in (course_copy / ENGLISH_HTML).read_text()
    assert "Namen für Werte" not in (course_copy / ENGLISH_HTML).read_text()


def test_a_header_jupytext_reads_leniently_builds_as_jupytext_reads_it(watcher, course_copy):
    deck = course_copy / VARIABLES
    good = deck.read_text()
    before = snapshot(course_copy)
    # Spaces around '=', lang before tags: jupytext reads both, and so does clm.
    lenient = '# %% [markdown] lang = "de"  tags = ["slide"]\n#\n# ## Namen für Dinge'
    deck.write_text(good.replace(GERMAN_HEADER, lenient))
    lines = watcher.cycle()
    report = "\n".join(lines)
    assert " 0 failed" in lines[-1] and "malformed" not in report, report
    # The German outputs show the edit; the English ones do not (its lang was read).
    assert changed(before, snapshot(course_copy)) == outputs_of(course_copy, VARIABLES, lang="de")
    german = next(
        path for path in outputs_of(course_copy, VARIABLES, lang="de") if "/Html/Completed/" in path
    )
    assert "Namen für Dinge" in (course_copy / german).read_text()
    assert "Namen für" not in (course_copy / ENGLISH_HTML).read_text()


def test_a_latin1_save_fails_the_deck_and_the_watcher_goes_on(watcher, course_copy):
    deck = course_copy / VARIABLES
    good = deck.read_text()
    types_outputs = outputs_of(course_copy, TYPES, lang="en")  # planning needs a UTF-8 deck
    before = snapshot(course_copy)
    deck.write_bytes(good.encode("latin-1"))  # "für" becomes the single byte 0xfc
    lines = watcher.cycle()
    report = "\n".join(lines)
    line = good[: good.index("für")].count("\n") + 1
    assert f"FAILED {VARIABLES}:{line}: the deck is not UTF-8: byte 0xfc" in report, report
    assert "save it as UTF-8" in report
    assert watcher.process.poll() is None
    assert changed(before, snapshot(course_copy)) == set()

    _edit_types(course_copy)
    lines = watcher.cycle()
    assert " 0 failed" in lines[-1]
    assert changed(before, snapshot(course_copy)) == types_outputs

    deck.write_text(good)
    lines = watcher.cycle()
    assert " 0 failed" in lines[-1], "\n".join(lines)


def test_warnings_are_shown_on_every_save_of_the_deck(watcher, course_copy):
    deck = course_copy / VARIABLES
    good = deck.read_text()
    added = '\n# %% [markdown] lang="EN" tags=["shiny"]\n# Loud\n'
    deck.write_text(good + added)
    tag_line = good.count("\n") + 2
    expected = [
        f'{VARIABLES}:{tag_line}: warning: lang="EN" is not a language of the course '
        '(de, en): the cell is in no output; write lang="en"',
        f"{VARIABLES}:{tag_line}: warning: unknown tag 'shiny'",
    ]
    for attempt in range(2):
        lines = watcher.cycle()
        report = "\n".join(lines)
        assert all(warning in report for warning in expected), report
        assert " 0 failed" in lines[-1]
        deck.write_text(good.replace("## Names for values", f"## Names {attempt}") + added)
    watcher.wait_for(CYCLE_DONE)


def test_a_deck_broken_before_the_watcher_starts_fails_alone(course_copy):
    deck = course_copy / VARIABLES
    good = deck.read_text()
    before = snapshot(course_copy)
    deck.write_text(good + "\n# %%\n# {{ no_such_name }}\n")
    line = good.count("\n") + 3
    watching = Watcher(course_copy)  # it starts instead of exiting with the error
    try:
        report = "\n".join(watching.seen)
        assert f"FAILED {VARIABLES}:{line}: 'no_such_name' is undefined" in report, report
        assert changed(before, snapshot(course_copy)) == set()
        deck.write_text(good.replace("## Names for values", "## Names for things"))
        lines = watching.cycle()
        assert " 0 failed" in lines[-1]
        assert "Names for things" in (course_copy / ENGLISH_HTML).read_text()
    finally:
        watching.process.kill()
        watching.process.wait()


def test_a_save_in_the_burst_that_broke_the_spec_is_built_and_not_lost(watcher, course_copy):
    spec = course_copy / YAML_SPEC
    good = spec.read_text()
    types_outputs = outputs_of(course_copy, TYPES, lang="en")
    before = snapshot(course_copy)
    spec.write_text(good + "colour: blue\n")
    _edit_types(course_copy)  # in the same burst of events
    lines = watcher.cycle()
    assert any("unknown key 'colour'" in line for line in lines)
    assert " 1 failed" in lines[-1]
    assert changed(before, snapshot(course_copy)) == types_outputs

    # While the spec is broken, every change tries to plan again and says why it cannot.
    deck = course_copy / VARIABLES
    deck.write_text(deck.read_text().replace("## Names for values", "## Names for things"))
    lines = watcher.cycle()
    assert any("unknown key 'colour'" in line for line in lines)
    assert "Names for things" in (course_copy / ENGLISH_HTML).read_text()

    spec.write_text(good)
    lines = watcher.cycle()
    assert " 0 failed" in lines[-1], "\n".join(lines)


def test_an_unknown_yaml_tag_in_the_spec_is_reported_and_the_watcher_goes_on(watcher, course_copy):
    """PyYAML's ConstructorError used to end the watcher with a traceback."""
    spec = course_copy / YAML_SPEC
    good = spec.read_text()
    name = next(line for line in good.splitlines() if line.startswith("name:"))
    line = good.splitlines().index(name) + 1
    spec.write_text(good.replace(name, "name: !custom foo", 1))
    lines = watcher.cycle()
    assert any(f"{YAML_SPEC}:{line}: unknown YAML tag '!custom'" in text for text in lines), lines
    assert not any("Traceback" in text for text in lines), lines
    assert watcher.process.poll() is None

    spec.write_text(good)
    lines = watcher.cycle()
    assert " 0 failed" in lines[-1], "\n".join(lines)
