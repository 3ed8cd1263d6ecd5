"""What used to vanish silently now warns with deck:line: a cell in a language the course
does not build, and a cell whose output is past the limit (kept bounded, with a note)."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import deck_text, write_files
from tests.e2e import test_watch
from tests.e2e.helpers import run_clm, work_counts
from tests.e2e.test_watch import CYCLE_DONE, VARIABLES

SPEC = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: One}
    topics: [first]
"""
DECK = "slides/module_100_a/topic_100_first.py"
watcher = test_watch.watcher  # the fixture: a real `doit auto` on a copy of the example
OUTPUT_LIMIT = 10_000_000  # the 10 MB a cell may keep
PRINTS_12_MB = "for _ in range(120):\n    print('x' * 99_999)"
HTML = "output/shared/Course-en/Slides/Html/Completed/One/01 First.html"


def _course(tmp_path, deck: str):
    root = tmp_path / "course"
    write_files(root, {"course.yaml": SPEC, DECK: deck})
    return root


def test_a_cell_in_a_language_the_course_does_not_build_is_a_warning(tmp_path):
    deck = deck_text("Erstes", "First")
    deck += '\n# %% [markdown] lang="EN"\n# Shouted\n\n# %% [markdown] lang="fr"\n# Bonjour\n'
    root = _course(tmp_path, deck)
    expected = [
        f'{DECK}:13: warning: lang="EN" is not a language of the course (de, en): '
        'the cell is in no output; write lang="en"',
        f'{DECK}:16: warning: lang="fr" is not a language of the course (de, en): '
        "the cell is in no output; fix the value or add 'fr' to the spec's languages",
    ]
    first = run_clm(root, "build")
    assert first.returncode == 0, first.stdout + first.stderr
    # clm's warnings only (under coverage, coverage.py adds warnings of its own)
    assert [line for line in first.stderr.splitlines() if ": warning: " in line] == expected
    # An author who missed them once sees them again, though the deck's check is kept.
    again = run_clm(root, "build")
    assert again.returncode == 0
    assert [line for line in again.stderr.splitlines() if ": warning: " in line] == expected
    assert work_counts(again)["written"] == 0


def test_a_cell_printing_past_the_limit_warns_and_keeps_html_and_cache_bounded(tmp_path):
    root = _course(tmp_path, deck_text("Erstes", "First", PRINTS_12_MB))
    warning = f"{DECK}:10: warning: the cell printed about 12.0 MB of output"
    first = run_clm(root, "build", "--lang", "en")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    assert warning in first.stderr  # a warning, as the deck checks' are
    html = root / HTML
    assert OUTPUT_LIMIT < html.stat().st_size < OUTPUT_LIMIT + 1_000_000
    assert "2.0 MB more output of this cell is not shown" in html.read_text()
    with sqlite3.connect(root / ".clm/cache.sqlite") as cache:
        sizes = [size for (size,) in cache.execute("select size from executions")]
    assert sizes and max(sizes) < OUTPUT_LIMIT + 100_000

    # A markdown edit takes the execution from the cache: the warning comes with it.
    deck = root / DECK
    deck.write_text(deck.read_text().replace("## Hello", "## Hello again"))
    second = run_clm(root, "build", "--lang", "en")
    assert second.returncode == 0
    assert work_counts(second)["kernels"] == 0
    assert warning in second.stderr


@pytest.mark.slow
def test_the_watcher_shows_the_big_output_warning(watcher, course_copy):
    deck = course_copy / VARIABLES
    text = deck.read_text()
    cell = "# %%\nanswer = answer + 1\n"
    line = text[: text.index(cell)].count("\n") + 1
    deck.write_text(text.replace(cell, f"{cell}{PRINTS_12_MB}\n"))
    lines = watcher.wait_for(CYCLE_DONE)
    warning = f"{VARIABLES}:{line}: warning: the cell printed about 12.0 MB of output"
    assert any(entry.startswith(warning) for entry in lines), "\n".join(lines)
    assert " 0 failed" in lines[-1]
