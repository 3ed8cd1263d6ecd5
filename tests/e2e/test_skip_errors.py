"""CLM's skip-errors with a real kernel: the cells that raised lose their outputs, one
warning names them, the build succeeds; allow-errors still shows the tracebacks."""

from __future__ import annotations

import json

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import run_clm, work_counts

SPEC = """\
<?xml version="1.0" encoding="UTF-8"?>
<course>
    <name><de>Kurs</de><en>Course</en></name>
    <prog-lang>python</prog-lang>
    <sections>
        <section>
            <name><de>Eins</de><en>One</en></name>
            <topics>
                <topic id="skipped" skip-errors="yes"/>
                <topic id="shown" allow-errors="yes"/>
            </topics>
        </section>
    </sections>
</course>
"""

DECK = """\
# j2 from 'macros.j2' import header
# {{{{ header("{de}", "{en}") }}}}

# %% [markdown] lang="en" tags=["slide"]
# ## Hello

# %%
print("before" + "-the-error")

# %%
x = 1
print("printed" + "-then-raised")
x / 0

# %%
print("after" + "-the-error", x)

# %%
undefined_name
"""

SKIPPED = "slides/module_100_a/topic_100_skipped.py"
SHOWN = "slides/module_100_a/topic_110_shown.py"
SPEC_FILE = "course-specs/course.xml"


def _course(tmp_path):
    root = tmp_path / "course"
    write_files(
        root,
        {
            SPEC_FILE: SPEC,
            SKIPPED: DECK.format(de="Übersprungen", en="Skipped"),
            SHOWN: DECK.format(de="Gezeigt", en="Shown"),
        },
    )
    return root


def _pages(root, name: str) -> list[str]:
    """The deck's executed pages: completed (shared) and recording (speaker)."""
    return [
        (root / f"output/{tier}/Course-en/Slides/Html/{kind}/One/{name}.html").read_text()
        for tier, kind in (("shared", "Completed"), ("speaker", "Recording"))
    ]


def _html(root, name: str) -> str:
    return "\n".join(_pages(root, name))


def _executed_code_cells(root, deck: str) -> list[tuple[str, list, int | None]]:
    notebook = json.loads((root / f".clm/executed/{deck}/en-completed.ipynb").read_text())
    return [
        ("".join(cell["source"]), cell["outputs"], cell["execution_count"])
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
    ]


def test_skip_errors_clears_the_cells_that_raised_and_warns_once(tmp_path):
    root = _course(tmp_path)
    result = run_clm(root, "build", "--lang", "en")
    report = result.stdout + result.stderr
    assert result.returncode == 0, report

    skipped = _html(root, "01 Skipped")
    for page in _pages(root, "01 Skipped"):
        assert "before-the-error" in page and "after-the-error 1" in page
    notebook = root / "output/shared/Course-en/Slides/Notebooks/Completed/One/01 Skipped.ipynb"
    assert "Traceback" not in notebook.read_text()
    for shown_only_with_allow_errors in (
        "Traceback",
        "ZeroDivisionError",
        "NameError",
        "printed-then-raised",
    ):
        assert shown_only_with_allow_errors not in skipped
    before, raised, after, undefined = _executed_code_cells(root, SKIPPED)
    assert (raised[1], raised[2]) == ([], None) and (undefined[1], undefined[2]) == ([], None)
    assert before[1] and before[2] == 1 and after[1] and after[2] == 3

    # One warning for the deck, naming the statement that raised and the cell that did.
    assert report.count("skip-errors cleared the outputs") == 1, report
    assert f"{SKIPPED}: warning: skip-errors cleared the outputs of 2 cells" in report, report
    assert f"  {SKIPPED}:13: ZeroDivisionError: division by zero" in report, report
    assert f"  {SKIPPED}:19: NameError: name 'undefined_name' is not defined" in report, report

    # allow-errors shows the tracebacks, and no warning names its deck.
    shown = _html(root, "02 Shown")
    assert "ZeroDivisionError" in shown and "NameError" in shown and "printed-then-raised" in shown
    assert f"{SHOWN}:" not in result.stderr, report


def test_switching_skip_errors_on_and_off_rebuilds_the_pages(tmp_path):
    root = _course(tmp_path)
    first = run_clm(root, "build", "--lang", "en")
    assert first.returncode == 0, first.stdout + first.stderr
    spec = root / SPEC_FILE
    spec.write_text(
        SPEC.replace('id="skipped" skip-errors="yes"', 'id="skipped" allow-errors="yes"')
    )
    shown = run_clm(root, "build", "--lang", "en")
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "ZeroDivisionError" in _html(root, "01 Skipped")
    assert "skip-errors cleared" not in shown.stderr, shown.stderr
    # The same code ran before: the results cache serves it, no kernel runs.
    counts = work_counts(shown)
    assert counts["kernels"] == 0 and counts["cached"] == 1, shown.stdout + shown.stderr

    spec.write_text(SPEC)
    cleared = run_clm(root, "build", "--lang", "en")
    assert cleared.returncode == 0, cleared.stdout + cleared.stderr
    assert "ZeroDivisionError" not in _html(root, "01 Skipped")
    assert f"  {SKIPPED}:13: ZeroDivisionError: division by zero" in cleared.stderr, cleared.stderr


def test_a_timeout_or_a_dead_kernel_still_fails_a_skip_errors_deck(tmp_path):
    root = tmp_path / "course"
    write_files(
        root,
        {
            "course.yaml": (
                "name: {de: Kurs, en: Course}\nlanguages: [en]\nskip-errors: true\n"
                "sections:\n  - name: One\n"
                "    topics: [{id: slow, cell-timeout: 2}, dying]\n"
            ),
            "slides/module_100_a/topic_100_slow.py": deck_text(code="import time\ntime.sleep(60)"),
            "slides/module_100_a/topic_110_dying.py": deck_text(code="import os\nos._exit(1)"),
        },
    )
    result = run_clm(root, "build")
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    assert "topic_100_slow.py:10: the cell ran past its timeout of 2 s" in report, report
    assert "topic_110_dying.py:10: the kernel died twice" in report, report
    assert "skip-errors cleared" not in report, report
