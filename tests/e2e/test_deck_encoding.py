"""A deck that is not UTF-8: named with the line of its first bad byte and the fix; it fails
alone (exit 1), by `clm build` and by plain `doit`, and the other decks build.

And the other way round: a title with an emoji, printed to a console that cannot show it
(Windows' cp1252 for redirected output), is printed as an escape and built as it is."""

from __future__ import annotations

import re

import pytest

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import output_files, run_clm, run_doit

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
CP1252_CONSOLE = {"PYTHONIOENCODING": "cp1252"}
ROCKET = "\U0001f680"


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
def test_clm_build_names_the_deck_and_line_and_builds_the_other_deck(tmp_path, bad_deck):
    root = _course(tmp_path, bad_deck)
    result = run_clm(root, "build")
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    assert f"FAILED {bad_deck}:checks" in report
    assert (
        f"{MESSAGE.format(deck=bad_deck)} (in most editors: Save with Encoding → UTF-8)" in report
    )
    assert "Traceback" not in report and "UnicodeDecodeError" not in report
    built = {path.name for path in (root / "output").rglob("*.html")}
    good, bad = ("Second", "First") if bad_deck == DIRECTORY_DECK else ("First", "Second")
    assert any(good in name for name in built) and not any(bad in name for name in built)


def test_plain_doit_reports_the_same_error_and_builds_the_other_deck(tmp_path):
    root = _course(tmp_path, FILE_DECK)
    result = run_doit(root, env=CP1252_CONSOLE)
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    # The arrow of "Save with Encoding → UTF-8" is not in cp1252.
    assert (
        f"{MESSAGE.format(deck=FILE_DECK)} (in most editors: Save with Encoding \\u2192" in report
    )
    assert "UnicodeDecodeError" not in report and "Traceback" not in report
    built = {path.name for path in (root / "output").rglob("*.html")}
    assert any("First" in name for name in built) and not any("Second" in n for n in built)


def test_a_deck_that_stops_being_utf_8_keeps_its_last_good_outputs(tmp_path):
    """Built on a cp1252 console: the emoji of its title is printed as an escape, and
    is in the outputs as it is."""
    root = _course(tmp_path, FILE_DECK)
    (root / FILE_DECK).write_text(deck_text("Zweites", f"Second {ROCKET}"), encoding="utf-8")
    first = run_clm(root, "build", env=CP1252_CONSOLE)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "One/02 Second \\U0001f680.html" in first.stdout
    good = sorted(path for path in (root / "output").rglob("*Second*"))
    assert good and all(path.name.startswith(f"02 Second {ROCKET}.") for path in good)
    notebook = next(path for path in good if path.suffix == ".ipynb")
    assert f"Second {ROCKET}".encode() in notebook.read_bytes()
    (root / FILE_DECK).write_bytes(LATIN1)
    broken = run_clm(root, "build", env=CP1252_CONSOLE)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert sorted(path for path in (root / "output").rglob("*Second*")) == good


# Two sections of the same decks, one saved with LF and one with CRLF line endings. The
# decks use what reads text besides the deck itself: a course template, a file they
# include, a voiceover companion, a Markdown deck; multi-line strings and blank lines in
# their cells. Not executed: the code's text is what a line ending could change,
# and the HTML is built from the deck as it is (no kernel is needed).
LINE_ENDINGS_SPEC = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: One}
    topics: [{id: first, evaluate: false}, {id: notes, evaluate: false}]
  - name: {de: Zwei, en: Two}
    topics: [{id: first_crlf, evaluate: false}, {id: notes_crlf, evaluate: false}]
"""
FIRST = '''\
# j2 from 'macros.j2' import header
# j2 from 'boxes{suffix}.j2' import box
# {{{{ header("Erstes", "First") }}}}

# %% [markdown] lang="de" tags=["slide"] slide_id="hello"
# ## Hallo
#
# {{{{ box("Wichtig") }}}}

# %% [markdown] lang="en" tags=["slide"] slide_id="hello"
# ## Hello
#
# {{{{ box("Important") }}}}, and see the notes.

# %%
# j2 include 'helper.py'

# %% tags=["keep"]
text = """two
lines"""


print(double(len(text)))

# %% [markdown] lang="en" tags=["workshop"]
# ## Workshop

# %%
answer = 42
'''
NOTES = """\
# j2 from 'macros.j2' import header
{{ header("Notizen", "Notes") }}

<!-- #region lang="en" tags=["slide"] -->
## Notes

Two lines
of notes.
<!-- #endregion -->

```python
print("x")
```
"""


def _topic_files(suffix: str) -> dict[str, str]:
    first = f"slides/module_100_a/topic_100_first{suffix}"
    return {
        f"templates/boxes{suffix}.j2": "{% macro box(text) -%}\n**{{ text }}**\n{%- endmacro %}\n",
        f"{first}/slides_first{suffix}.py": FIRST.format(suffix=suffix),
        f"{first}/helper.py": "def double(x):\n    return 2 * x\n",
        f"{first}/voiceover/voiceover_first{suffix}.py": (
            '# %% [markdown] lang="en" tags=["voiceover"] for_slide="hello"\n# Welcome,\n# twice.\n'
        ),
        f"slides/module_100_a/topic_110_notes{suffix}/slides_notes{suffix}.md": NOTES,
    }


def test_a_deck_saved_with_crlf_builds_the_outputs_it_builds_with_lf(tmp_path):
    """A Windows checkout (git's autocrlf) has every text file with CRLF line endings:
    the outputs are the same bytes, but for a copied file's own line endings."""
    crlf = {
        path: text.replace("\n", "\r\n").encode() for path, text in _topic_files("_crlf").items()
    }
    write_files(tmp_path, {"course.yaml": LINE_ENDINGS_SPEC, **_topic_files(""), **crlf})
    result = run_clm(tmp_path, "build")
    assert result.returncode == 0, result.stdout + result.stderr
    # clm's warnings: "warning: …" or "<where>: warning: …" (not coverage's own, which
    # pytest-cov's subprocesses may print)
    assert not re.search(r"(^|: )warning: ", result.stdout + result.stderr, re.MULTILINE)
    built = output_files(tmp_path / "output")
    lf = {path: data for path, data in built.items() if "/One/" in path or "/Eins/" in path}
    assert len(lf) > 30
    for path, data in lf.items():
        twin = built[path.replace("/One/", "/Two/").replace("/Eins/", "/Zwei/")]
        if path.endswith("/helper.py"):  # a copy keeps its line endings
            assert twin == data.replace(b"\n", b"\r\n")
        else:
            assert twin == data, path
