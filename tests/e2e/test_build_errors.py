"""A bad spec builds nothing and says where the problem is; a bad deck or a failing cell
fails only its deck."""

from __future__ import annotations

import pytest

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import run_clm

SPEC = """\
name: {de: Kurs, en: Course}
output-layout: classic
sections:
  - name: {de: Eins, en: One}
    topics: [first, second]
"""

GOOD = {
    "slides/module_100_a/topic_100_first/slides_first.py": deck_text("Erstes", "First"),
    "slides/module_100_a/topic_110_second.py": deck_text("Zweites", "Second", "print(2 + 3)"),
}


def _course(tmp_path, spec=SPEC, files=None, spec_name="course.yaml"):
    root = tmp_path / "course"
    write_files(root, {**GOOD, **(files or {})})
    (root / spec_name).parent.mkdir(parents=True, exist_ok=True)
    (root / spec_name).write_text(spec)
    return root


CASES = {
    "unknown spec key": (SPEC + "colour: blue\n", {}, "course.yaml:6: unknown key 'colour'"),
    "unresolved topic id": (
        SPEC.replace("[first, second]", "[first, secnd]"),
        {},
        "course.yaml:5: topic 'secnd' not found",
    ),
    "id found twice": (
        SPEC,
        {"slides/module_200_b/topic_200_second/slides_x.py": deck_text()},
        "course.yaml:5: topic id 'second' is found twice",
    ),
    "path leaving the root": (SPEC + "output: ../../out\n", {}, "course.yaml:6: the output folder"),
    "output inside slides": (SPEC + "output: slides/out\n", {}, "lies inside slides/"),
    "unknown YAML tag": (
        SPEC.replace("name: {de: Kurs, en: Course}", "name: !custom foo"),
        {},
        "course.yaml:1: unknown YAML tag '!custom'",
    ),
    "empty course name": (
        SPEC.replace("name: {de: Kurs, en: Course}", 'name: ""'),
        {},
        "course.yaml:1: the course name (de) is empty",
    ),
    "dir-groups differing in case": (
        SPEC + "dir-groups:\n  - {name: Extra, path: div}\n  - {name: extra, path: div}\n",
        {"div/a.txt": "a"},
        "course.yaml:8: the dir-group folders 'Extra' (line 7) and 'extra'",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_builds_nothing_and_exits_2(tmp_path, case):
    spec, files, message = CASES[case]
    root = _course(tmp_path, spec, files)
    result = run_clm(root, "build")
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert message in errors[0]
    assert not (root / "output").exists()
    assert not (root / "slides" / "out").exists()


@pytest.mark.parametrize("case", ["unknown YAML tag", "empty course name"])
def test_plan_names_a_bad_spec_as_build_does(tmp_path, case):
    spec, files, message = CASES[case]
    result = run_clm(_course(tmp_path, spec, files), "plan")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_failing_cell_fails_only_its_executed_outputs(tmp_path):
    root = _course(tmp_path)
    first = run_clm(root, "build")
    assert first.returncode == 0, first.stdout + first.stderr
    html = root / "output/public/En/Course/Slides/Html/Completed/One/02 Second.html"
    notebook = root / "output/public/En/Course/Slides/Notebooks/Completed/One/02 Second.ipynb"
    good_html = html.read_bytes()
    assert b"5" in good_html

    deck = root / "slides/module_100_a/topic_110_second.py"
    deck.write_text(deck_text("Zweites", "Second", "print(2 + 3)\n\n# %%\nx = 1\nx / 0\n"))
    second = run_clm(root, "build")
    assert second.returncode == 1
    report = second.stdout + second.stderr
    assert "slides/module_100_a/topic_110_second.py:15" in report  # the line of `x / 0`
    assert "ZeroDivisionError: division by zero" in report
    assert "languages: de, en" in report
    assert "Html/Completed/One/02 Second.html" in report
    assert html.read_bytes() == good_html  # the last good version is kept
    assert b"x / 0" in notebook.read_bytes()  # outputs that need no execution were built
    assert (root / "output/public/En/Course/Slides/Html/Completed/One/01 First.html").exists()


def test_clm_init_creates_a_course_that_builds(tmp_path):
    result = run_clm(tmp_path, "init", "new-course")
    assert result.returncode == 0, result.stderr
    root = tmp_path / "new-course"
    assert (root / "dodo.py").read_text().count("\n") <= 3
    again = run_clm(tmp_path, "init", "new-course")
    assert again.returncode == 2 and "never overwrites" in again.stderr
    build = run_clm(root, "build", "--lang", "en", "-j", "1")
    assert build.returncode == 0, build.stdout + build.stderr
    built = sorted(p.name for p in (root / "output").rglob("*.html"))
    assert built == ["01 Welcome.html"] * 6  # shared: 2 kinds, trainer: 3, speaker: 1


@pytest.mark.parametrize(("prog_lang", "suffix"), [("java", ".java"), ("typescript", ".ts")])
def test_clm_init_makes_a_course_in_another_language_that_builds(tmp_path, prog_lang, suffix):
    result = run_clm(tmp_path, "init", "new-course", "--prog-lang", prog_lang)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "new-course"
    assert "kernel-python" not in (root / "course.yaml").read_text()
    build = run_clm(root, "build", "--lang", "en", "-j", "1")
    assert build.returncode == 0, build.stdout + build.stderr
    completed = next((root / "output").rglob("Html/Completed/*/01 Welcome.html")).read_text()
    assert ">5<" in completed  # greeting's length, printed by the language's kernel
    code = next((root / "output").rglob(f"Completed/*/01 Welcome{suffix}"))
    assert code.read_text().startswith("// %% [markdown]")


def test_only_builds_one_topic(tmp_path):
    root = _course(
        tmp_path, files={"slides/module_100_a/topic_100_first/slides_first.py": deck_text()}
    )
    result = run_clm(root, "build", "--only", "first", "--lang", "de")
    assert result.returncode == 0, result.stdout + result.stderr
    names = {p.name for p in (root / "output").rglob("*") if p.is_file()}
    assert names == {"01 Titel.html", "01 Titel.ipynb", "01 Titel.py", "tex-svg-full.js"}
    unknown = run_clm(root, "build", "--only", "nothing")
    assert unknown.returncode == 2 and "names neither a topic" in unknown.stderr


def test_allow_errors_and_cell_timeout(tmp_path):
    spec = """\
name: {de: Kurs, en: Course}
output-layout: classic
languages: [en]
sections:
  - name: One
    topics:
      - {id: first, allow-errors: true}
      - {id: second, cell-timeout: 2}
"""
    files = {
        "slides/module_100_a/topic_100_first/slides_first.py": deck_text(code="{}['missing']"),
        "slides/module_100_a/topic_110_second.py": deck_text(code="import time\ntime.sleep(60)"),
    }
    root = _course(tmp_path, spec, files)
    result = run_clm(root, "build")
    assert result.returncode == 1
    report = result.stdout + result.stderr
    assert "topic_110_second.py:10: the cell ran past its timeout of 2 s" in report
    assert "taskid:slides/module_100_a/topic_100_first" not in report  # only the timeout failed
    html = root / "output/public/En/Course/Slides/Html/Completed/One/01 Title.html"
    assert "KeyError" in html.read_text(encoding="utf-8")


SECOND = "slides/module_100_a/topic_110_second.py"
FIRST_HTML = "output/public/En/Course/Slides/Html/Completed/One/01 First.html"
SECOND_HTML = "output/public/En/Course/Slides/Html/Completed/One/02 Second.html"

BAD_DECKS = {
    "a list jupytext would misread": (
        deck_text("Zweites", "Second") + '\n# %% tags=["keep"\nx = 1\n',
        f"{SECOND}:13: malformed cell header: jupytext cannot read 'tags=[\"keep\"' "
        "(a '[' is not closed)",
    ),
    "a tag without quotes": (
        deck_text("Zweites", "Second") + '\n# %% tags=["subslide", alt]\nx = 1\n',
        f"{SECOND}:13: malformed cell header: jupytext cannot read",
    ),
    "an undefined Jinja name": (
        deck_text("Zweites", "Second") + "\n# %%\n# {{ no_such_name }}\n",
        f"{SECOND}:14: 'no_such_name' is undefined",
    ),
}


def test_a_bad_deck_fails_alone_and_keeps_its_last_good_outputs(tmp_path):
    # Plain doit's side of it: tests/e2e/test_header_forms.py, test_deck_encoding.py.
    case = "a list jupytext would misread"
    root = _course(tmp_path)

    def build():
        return run_clm(root, "build")

    first = build()
    assert first.returncode == 0, first.stdout + first.stderr
    good = (root / SECOND_HTML).read_bytes()
    text, message = BAD_DECKS[case]
    (root / SECOND).write_text(text)
    (root / "slides/module_100_a/topic_100_first/slides_first.py").write_text(
        deck_text("Erstes", "First", "print('changed')")
    )
    second = build()
    report = second.stdout + second.stderr
    assert second.returncode == 1, report
    assert f"FAILED {SECOND}:checks" in report and message in report
    assert "Traceback" not in report
    assert (root / SECOND_HTML).read_bytes() == good  # the last good version is kept
    assert b"changed" in (root / FIRST_HTML).read_bytes()  # the other deck was built
    # The leak guard still checked what the build wrote.
    assert "check-public-outputs" in report
    again = build()
    assert again.returncode == 1 and message in again.stdout + again.stderr
    (root / SECOND).write_text(deck_text("Zweites", "Second", "print(40 + 2)"))
    mended = build()
    assert mended.returncode == 0, mended.stdout + mended.stderr
    assert b"42" in (root / SECOND_HTML).read_bytes()


@pytest.mark.parametrize("case", ["a tag without quotes", "an undefined Jinja name"])
def test_each_kind_of_deck_error_fails_only_its_deck(tmp_path, case):
    text, message = BAD_DECKS[case]
    root = _course(tmp_path, files={SECOND: text})
    result = run_clm(root, "build")
    report = result.stdout + result.stderr
    assert result.returncode == 1, report
    assert f"FAILED {SECOND}:checks" in report and message in report
    assert (root / FIRST_HTML).exists() and not (root / SECOND_HTML).exists()


def test_plan_names_a_bad_deck_and_lists_the_rest(tmp_path):
    text, message = BAD_DECKS["a tag without quotes"]
    result = run_clm(_course(tmp_path, files={SECOND: text}), "plan")
    assert result.returncode == 1, result.stderr
    assert f"error: {message}" in result.stderr
    assert f"deck-error {SECOND}:checks" in result.stdout
    assert "slides_first.py:output/" in result.stdout
