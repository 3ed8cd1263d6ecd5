"""The leak guard on real builds: protected text that reaches output/public/ fails the build."""

from __future__ import annotations

import base64
import html
import unicodedata
import zlib
from pathlib import Path
from urllib.parse import quote

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


def _drawio(label: str) -> str:
    """A draw.io file as the desktop app saves it: the page deflated, base64-encoded."""
    page = (
        f'<mxGraphModel><root><mxCell id="2" value="{html.escape(label)}"/></root></mxGraphModel>'
    )
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = deflater.compress(quote(page).encode()) + deflater.flush()
    return f'<mxfile><diagram id="p" name="Page-1">{base64.b64encode(packed).decode()}</diagram></mxfile>'


PRUEFUNG = "Sagen Sie, dass die Prüfung nur Kapitel drei und fünf abdeckt."


def test_notes_hidden_in_comments_attributes_and_encodings_of_copied_files_fail_the_build(
    tmp_path,
):
    copied = {
        "div/README.md": f"Bonus material.\n<!--\n{NOTES}\n-->\n",
        "div/figure.html": f'<p><img src="figure.png" alt="{NOTES}"></p>\n',
        "div/links.md": f'See ![the figure](figure.png "{NOTES}").\n',
        "div/utf16.txt": f"Bonus.\n{NOTES}\n".encode("utf-16"),
        "div/utf16-le.txt": f"Bonus.\n{NOTES}\n".encode("utf-16-le"),
        "div/flow.drawio": _drawio(NOTES),
        "div/flow.puml": f"@startuml\nnote over A\n{NOTES}\nend note\n@enduml\n",
        "div/nfd.md": unicodedata.normalize("NFD", PRUEFUNG),
    }
    german_notes = f'\n# %% [markdown] lang="de" tags=["notes"]\n# {PRUEFUNG}\n'
    root = _course(tmp_path, {**copied, DECK: deck_text() + NOTES_CELL + german_notes})
    result = _build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    for name in copied:
        published = f"output/public/En/Course/Bonus/{name.removeprefix('div/')}"
        origin = f"{DECK}:16" if name == "div/nfd.md" else f"{DECK}:13"
        assert f"{published} (copied from {name}): contains text of a notes cell ({origin})" in (
            result.stdout
        ), name
        assert not (root / published).exists()


def test_notes_in_a_comment_of_a_public_cell_fail_the_build(tmp_path):
    # (An image's alt text in a public cell is shown: it makes its words public.)
    hidden = f'\n# %% [markdown] lang="en"\n# Welcome!\n# <!-- {NOTES} -->\n'
    root = _course(tmp_path, {DECK: deck_text() + NOTES_CELL + hidden})
    result = _build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    base = "output/public/En/Course/Slides"
    for path in (
        f"{base}/Html/Code-Along/One/01 Title.html",
        f"{base}/Html/Completed/One/01 Title.html",
        f"{base}/Notebooks/Code-Along/One/01 Title.ipynb",
        f"{base}/Python/Completed/One/01 Title.py",
    ):
        assert f"{path}: contains text of a notes cell ({DECK}:13)" in result.stdout, path
        assert not (root / path).exists()


def test_a_diagram_render_is_checked_by_the_text_it_carries_and_its_source(tmp_path):
    # PlantUML draws each line of the note as an SVG <text> of its own.
    note = NOTES.replace(" covers ", " covers\n")
    topic = "slides/module_100_a/topic_100_intro"
    root = _course(
        tmp_path,
        {
            "course.yaml": SPEC.replace("sections:", "diagram-formats: [png, svg]\nsections:"),
            f"{topic}/flow.puml": f"@startuml\nA -> B\nnote right of B\n{note}\nend note\n@enduml\n",
        },
    )
    result = _build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    rendered = [line for line in result.stdout.splitlines() if "(rendered from" in line]
    placed = {line.split(" (rendered from ")[0].rsplit("/", 1)[1] for line in rendered}
    assert placed == {"flow.png", "flow.svg"}, result.stdout
    assert all(f"(rendered from {topic}/flow.puml): contains" in line for line in rendered)
    assert all(f"contains text of a notes cell ({DECK}:13)" in line for line in rendered)
    assert not list((root / "output/public").rglob("flow.*"))
    assert list((root / "output/speaker").rglob("flow.svg"))


def test_a_file_a_cell_writes_into_a_student_folder_is_checked_and_left_to_its_owner(tmp_path):
    root = tmp_path / "course"
    written = root / "output/public/En/Course/notes.txt"
    backwards = " ".join(reversed(NOTES.split()))  # the cell's own text must not be the notes
    code = (
        "from pathlib import Path\n"
        f"target = Path({str(written)!r})\n"
        "target.parent.mkdir(parents=True, exist_ok=True)\n"
        f"target.write_text(' '.join(reversed({backwards!r}.split())))\n"
    )
    _course(tmp_path, {DECK: deck_text(code=code) + NOTES_CELL})
    result = _build(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "output/public/En/Course/notes.txt (no task of the build wrote it: a cell that ran, or "
        f"someone, put it there): contains text of a notes cell ({DECK}:17)"
    ) in result.stdout
    assert "it was left in place: remove it and what writes it" in result.stdout
    assert written.read_text() == NOTES


JAVA_SPEC = SPEC.replace("output-layout: classic\n", "output-layout: classic\nprog-lang: java\n")
JAVA_DECK = """\
// j2 from 'macros.j2' import header
// {{ header("Dienste", "Services") }}

// %% [markdown] lang="en" tags=["slide"]
// ## A service

// %% tags=["start"]
class UserService {
    public void getUserData() { }
}

// %% tags=["alt"]
class UserService {
    public void getUserData() {
        // In a real application this reads the database.
    }
}

// %% tags=["keep"]
new UserService().getUserData();
"""


@pytest.mark.slow
def test_nbconvert_s_prompt_after_a_start_cell_is_no_leak_in_a_java_course(tmp_path):
    root = tmp_path / "course"
    write_files(
        root,
        {
            "course.yaml": JAVA_SPEC,
            "div/README.md": PUBLIC_BONUS,
            "slides/module_100_a/topic_100_intro/slides_intro.java": JAVA_DECK,
        },
    )
    result = _build(root)
    assert result.returncode == 0, result.stdout + result.stderr
    page = root / "output/public/En/Course/Slides/Html/Code-Along/One/01 Services.html"
    text = page.read_text(encoding="utf-8")
    assert "getUserData" in text and "In\xa0[\xa0]:" in text and "In a real" not in text
    no_op = _build(root)
    assert no_op.returncode == 0 and executed_tasks(no_op) == [], no_op.stdout
