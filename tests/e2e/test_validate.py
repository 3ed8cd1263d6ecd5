"""`clm validate`: what a build would refuse or warn about, with nothing built or written."""

from __future__ import annotations

import json

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import run_clm

SPEC = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: One}
    topics: [first, second, third]
"""

FIRST = "slides/module_100_a/topic_100_first.py"
SECOND = "slides/module_100_a/topic_110_second.py"
THIRD = "slides/module_100_a/topic_120_third.py"


def _course(tmp_path, **decks: str):
    root = tmp_path / "course"
    files = {
        FIRST: deck_text("Erstes", "First"),
        SECOND: deck_text("Zweites", "Second"),
        THIRD: deck_text("Drittes", "Third"),
        "course.yaml": SPEC,
    }
    write_files(root, {**files, **decks})
    return root


def test_a_clean_course_validates_and_nothing_is_written(tmp_path):
    root = _course(tmp_path)
    result = run_clm(root, "validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "course.yaml: 3 decks, 0 errors, 0 warnings"
    assert sorted(path.name for path in root.iterdir()) == ["course.yaml", "slides"]


def test_every_bad_deck_and_every_warning_is_named_with_its_line(tmp_path):
    root = _course(
        tmp_path,
        **{
            SECOND: deck_text("Zweites", "Second") + '\n# %% tags=["subslide", alt]\nx = 1\n',
            THIRD: deck_text("Drittes", "Third") + "\n# %%\n# {{ no_such_name }}\n",
            FIRST: deck_text("Erstes", "First") + '\n# %% tags=["shiny"]\nx = 1\n',
        },
    )
    result = run_clm(root, "validate")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2, result.stderr
    assert (
        f"error: {SECOND}:13: malformed cell header: jupytext cannot read" in errors[0] + errors[1]
    )
    assert f"error: {THIRD}:14: 'no_such_name' is undefined" in errors[0] + errors[1]
    assert f"{FIRST}:13: warning: unknown tag 'shiny'" in result.stderr
    assert result.stdout.strip() == "course.yaml: 3 decks, 2 errors, 1 warning"
    assert not (root / ".clm").exists() and not (root / "output").exists()

    as_json = run_clm(root, "validate", "--json")
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert report["ok"] is False and report["decks"] == 3
    assert {(e["file"], e["line"]) for e in report["errors"]} == {(SECOND, 13), (THIRD, 14)}
    assert report["warnings"] == [
        {"file": FIRST, "line": 13, "message": report["warnings"][0]["message"]}
    ]
    assert report["warnings"][0]["message"].startswith("unknown tag 'shiny'")


def test_a_bad_spec_is_an_error_too(tmp_path):
    root = _course(tmp_path, **{"course.yaml": SPEC + "colour: blue\n"})
    result = run_clm(root, "validate", "--json")
    assert result.returncode == 1
    (error,) = json.loads(result.stdout)["errors"]
    assert (error["file"], error["line"]) == ("course.yaml", 5)
    assert "unknown key 'colour'" in error["message"]
