"""The leak guard on real builds: protected text that reaches output/public/ fails the build."""

from __future__ import annotations

from pathlib import Path

import pytest

from clm.leaks.guard import GUARD_TASK
from tests.conftest import deck_text, write_files
from tests.e2e.helpers import executed_tasks, run_clm

SPEC = """\
name: {de: Kurs, en: Course}
output-layout: classic
sections:
  - name: {de: Eins, en: One}
    topics: [intro]
dir-groups:
  - {name: Bonus, path: div}
"""
DECK = "slides/module_100_a/topic_100_intro/slides_intro.py"
NOTES = "Remind them that the exam covers chapters three and five only."
PRIVATE = "The solutions live in the folder nobody knows about yet."
NOTES_CELL = f'\n# %% [markdown] lang="en" tags=["notes"]\n# {NOTES}\n'
PUBLIC_BONUS = "Bonus material: more exercises for the weekend.\n"


def _course(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "course"
    write_files(
        root,
        {
            "course.yaml": SPEC,
            DECK: deck_text() + NOTES_CELL,
            "div/README.md": PUBLIC_BONUS,
            **files,
        },
    )
    return root


def _build(root: Path):
    return run_clm(root, "build", "-j", "2")


def test_copied_files_with_notes_or_private_text_are_removed_and_fail_every_build(tmp_path):
    root = _course(
        tmp_path,
        {
            "div/README.md": f"Bonus material. {NOTES.lower()}\n",
            DECK: deck_text() + NOTES_CELL + f'\n# %% [markdown] tags=["private"]\n# {PRIVATE}\n',
            "slides/module_100_a/topic_100_intro/handout.md": f"Handout: {PRIVATE}\n",
        },
    )
    for _ in range(2):  # the second build finds the leak again: nothing is up to date
        result = _build(root)
        assert result.returncode == 1, result.stdout + result.stderr
        for lang, course in (("De", "Kurs"), ("En", "Course")):
            readme = f"output/public/{lang}/{course}/Bonus/README.md"
            assert (
                f"{readme} (copied from div/README.md): contains text of a notes cell "
                f'({DECK}:13): "Remind them that the exam covers …"'
            ) in result.stdout
            assert not (root / readme).exists()
        handouts = [line for line in result.stdout.splitlines() if "handout.md (copied" in line]
        # Topic data sits beside the code-along and completed outputs of each language.
        assert len(handouts) == 10, result.stdout
        assert all(f"text of a private cell ({DECK}:16)" in line for line in handouts)
        assert not list((root / "output/public").rglob("handout.md"))
        assert len(list((root / "output/speaker").rglob("handout.md"))) == 4
        assert "were removed, so it is not published" in result.stdout

    write_files(root, {"div/README.md": PUBLIC_BONUS})
    (root / "slides/module_100_a/topic_100_intro/handout.md").write_text("Handout.\n")
    result = _build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "output/public/En/Course/Bonus/README.md").read_text() == PUBLIC_BONUS
    assert len(list((root / "output/public").rglob("handout.md"))) == 10


def test_a_template_that_repeats_private_text_in_a_public_cell_fails_the_build(tmp_path):
    root = _course(
        tmp_path,
        {
            "templates/reminder.md": f"# {PRIVATE}\n",
            DECK: deck_text()
            + f'\n# %% [markdown] lang="en" tags=["private"]\n# {PRIVATE}\n'
            + '\n# %% [markdown] lang="en"\n# j2 include "reminder.md"\n',
        },
    )
    result = _build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    leaked = {
        "output/public/En/Course/Slides/Html/Code-Along/One/01 Title.html",
        "output/public/En/Course/Slides/Html/Completed/One/01 Title.html",
        "output/public/En/Course/Slides/Notebooks/Code-Along/One/01 Title.ipynb",
        "output/public/En/Course/Slides/Notebooks/Completed/One/01 Title.ipynb",
        "output/public/En/Course/Slides/Python/Completed/One/01 Title.py",
    }
    for path in leaked:
        assert (
            f'{path}: contains text of a private cell ({DECK}:13): "The solutions live in the '
        ) in result.stdout
        assert not (root / path).exists()
    # The German outputs and the speaker's are fine and stay.
    assert (root / "output/public/De/Kurs/Folien/Python/Completed/Eins/01 Titel.py").is_file()
    speaker = root / "output/speaker/En/Course/Slides/Notebooks/Speaker/One/01 Title.ipynb"
    assert PRIVATE in speaker.read_text()


def test_a_new_private_cell_is_looked_for_in_files_written_long_ago(tmp_path):
    root = _course(tmp_path, {"div/README.md": f"Bonus: {PRIVATE}\n"})
    first = _build(root)
    assert first.returncode == 0, first.stdout + first.stderr
    assert {f"{GUARD_TASK}:files", f"{GUARD_TASK}:executed-html"} <= set(executed_tasks(first))
    no_op = _build(root)
    assert no_op.returncode == 0 and executed_tasks(no_op) == []

    deck = root / DECK
    deck.write_text(deck.read_text() + f'\n# %% [markdown] tags=["private"]\n# {PRIVATE}\n')
    result = _build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "div:copy-en" not in executed_tasks(result)  # the old copy itself was checked
    assert (
        "output/public/En/Course/Bonus/README.md (copied from div/README.md): contains text "
        f"of a private cell ({DECK}:16)"
    ) in result.stdout
    assert not (root / "output/public/En/Course/Bonus/README.md").exists()


def test_a_failing_cell_elsewhere_does_not_hold_back_the_check_of_copied_files(tmp_path):
    root = _course(
        tmp_path,
        {
            "course.yaml": SPEC.replace("[intro]", "[intro, broken]"),
            "slides/module_100_a/topic_110_broken.py": deck_text("Kaputt", "Broken", "1 / 0"),
            "div/README.md": f"Bonus: {NOTES}\n",
        },
    )
    result = _build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "ZeroDivisionError" in result.stdout
    assert (
        "output/public/En/Course/Bonus/README.md (copied from div/README.md): contains text "
        f"of a notes cell ({DECK}:13)"
    ) in result.stdout
    ran = executed_tasks(result)
    assert f"{GUARD_TASK}:files" in ran and f"{GUARD_TASK}:executed-html" not in ran


def test_a_diagram_that_cannot_be_rendered_does_not_hold_back_the_check(tmp_path):
    root = _course(
        tmp_path,
        {
            "slides/module_100_a/topic_100_intro/flow.puml": "@startuml\nA -> B\n@enduml\n",
            "div/README.md": f"Bonus: {NOTES}\n",
        },
    )
    result = run_clm(root, "build", "-j", "2", env={"CLM_PLANTUML_JAR": str(tmp_path / "no.jar")})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "flow.puml:render" in result.stdout
    assert "Bonus/README.md (copied from div/README.md): contains text of a notes" in result.stdout
    ran = executed_tasks(result)
    assert f"{GUARD_TASK}:files" in ran and f"{GUARD_TASK}:diagrams" not in ran


def test_the_example_course_builds_with_the_guard_and_no_false_alarm(built_run):
    root, result = built_run
    assert result.returncode == 0
    assert {f"{GUARD_TASK}:files", f"{GUARD_TASK}:executed-html"} <= set(executed_tasks(result))
    assert list((root / "output/shared").rglob("*.html"))


def test_the_watcher_checks_a_copy_after_copying_it(course_copy):
    from tests.e2e.test_watch import Watcher

    watcher = Watcher(course_copy)
    try:
        readme = course_copy / "div/workshops/README.md"
        readme.write_text(readme.read_text() + "\nStress that `sorted` returns a new list.\n")
        lines = "\n".join(watcher.cycle())
    finally:
        watcher.stop()
    assert f"FAILED {GUARD_TASK}:files:" in lines
    published = "output/shared/Python Basics-en/Bonus/README.md"
    assert f"{published} (copied from div/workshops/README.md): contains text of a notes" in lines
    assert not (course_copy / published).exists()


VOICEOVER = "Welcome back, today we take the long road through the garden of lists."
TIERS_SPEC = SPEC.replace("output-layout: classic\n", "project-slug: course\n")


@pytest.mark.parametrize("route", ["dir-group", "include", "template", "companion"])
def test_voiceover_text_that_reaches_a_student_output_fails_the_build(tmp_path, route):
    voiceover_cell = f'\n# %% [markdown] lang="en" tags=["voiceover"]\n# {VOICEOVER}\n'
    files = {"course.yaml": TIERS_SPEC, DECK: deck_text() + voiceover_cell}
    leaked_by, origin = "", f"{DECK}:13"
    if route == "dir-group":
        files["div/README.md"] = f"Bonus. {VOICEOVER}\n"
        leaked_by = "output/shared/course-en/Bonus/README.md (copied from div/README.md)"
    elif route == "include":
        files["slides/module_100_a/topic_100_intro/narration.md"] = f"# {VOICEOVER}\n"
        files[DECK] += '\n# %% [markdown] lang="en"\n# j2 include "narration.md"\n'
        leaked_by = "output/shared/course-en/Slides/Html/Completed/One/01 Title.html"
    elif route == "template":
        files["templates/story.j2"] = f"{{% macro story() %}}{VOICEOVER}{{% endmacro %}}\n"
        files[DECK] += (
            '\n# %% [markdown] lang="en"\n# j2 from "story.j2" import story\n# {{ story() }}\n'
        )
        leaked_by = "output/shared/course-en/Slides/Notebooks/Completed/One/01 Title.ipynb"
    else:  # narration kept in a companion, copied along by a dir-group
        companion = "slides/module_100_a/topic_100_intro/voiceover_intro.py"
        narration = f'# %% [markdown] tags=["voiceover"] for_slide="title"\n# {VOICEOVER}\n'
        files[DECK] = deck_text()
        files[companion] = narration
        files["div/narration.py"] = narration
        leaked_by = "output/shared/course-en/Bonus/narration.py (copied from div/narration.py)"
        origin = f"{companion}:1"
    root = _course(tmp_path, files)
    result = _build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f'{leaked_by}: contains text of a voiceover cell ({origin}): "Welcome back' in (
        result.stdout
    )
    assert not (root / leaked_by.split(" (")[0]).exists()
    recording = root / "output/speaker/course-en/Slides/Notebooks/Recording/One/01 Title.ipynb"
    assert VOICEOVER in recording.read_text()
