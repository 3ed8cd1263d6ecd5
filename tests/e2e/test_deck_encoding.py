"""A deck that is not UTF-8: named with the line of its first bad byte and the fix; nothing
is built, neither by `clm build` (exit 2) nor by plain `doit` (an error)."""

from __future__ import annotations

import pytest

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import run_clm, run_doit

SPEC = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: One}
    topics: [first, second]
"""
DODO = 'from clm.dodo import course_tasks\nDOIT_CONFIG, task_course = course_tasks("course.yaml")\n'
DIRECTORY_DECK = "slides/module_100_a/topic_100_first/slides_first.py"
FILE_DECK = "slides/module_100_a/topic_110_second.py"
LATIN1 = (deck_text("Erstes", "First") + '\n# %% [markdown] lang="de"\n# Grüße\n').encode("latin-1")
MESSAGE = (
    "{deck}:14: the deck is not UTF-8: byte 0xfc in column 5 cannot be decoded (perhaps the "
    "file was saved as Latin-1 or Windows-1252); save it as UTF-8"
)


def _course(tmp_path, bad_deck: str):
    root = tmp_path / "course"
    files = {
        "course.yaml": SPEC,
        "dodo.py": DODO,
        DIRECTORY_DECK: deck_text("Erstes", "First"),
        FILE_DECK: deck_text("Zweites", "Second"),
    }
    write_files(root, {**files, bad_deck: LATIN1})
    return root


@pytest.mark.parametrize("bad_deck", [DIRECTORY_DECK, FILE_DECK])
def test_clm_build_names_the_deck_and_line_and_exits_2(tmp_path, bad_deck):
    root = _course(tmp_path, bad_deck)
    result = run_clm(root, "build")
    assert result.returncode == 2, result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: {MESSAGE.format(deck=bad_deck)} (in most editors: Save with Encoding → UTF-8)"
    ]
    assert "Traceback" not in result.stderr
    assert not (root / "output").exists()


def test_plain_doit_reports_the_same_error_and_builds_nothing(tmp_path):
    root = _course(tmp_path, FILE_DECK)
    result = run_doit(root)
    assert result.returncode != 0
    assert MESSAGE.format(deck=FILE_DECK) in result.stderr
    assert "UnicodeDecodeError" not in result.stdout + result.stderr
    assert not (root / "output").exists()
