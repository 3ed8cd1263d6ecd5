"""CLM's <include source as optional>: shared files and folders spliced into topics.

A spliced file is copied beside the including topic's outputs, is there when
its decks run, and is an input of exactly those decks; a spliced diagram is
rendered; a topic's own file wins; a missing source fails the including
topic's decks alone (unless the include is optional).
"""

from __future__ import annotations

import re

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import run_clm

SPEC = """\
<course>
    <name><de>Kurs</de><en>Course</en></name>
    <prog-lang>python</prog-lang>
    <sections>
        <section>
            <name><de>Eins</de><en>One</en></name>
            <include source="shared/helpers" as="helpers"/>
            <topics>
                <topic id="uses">
                    <include source="shared/data.txt" as="data/numbers.txt"/>
                    <include source="shared/flow.puml" as="pu/flow.puml"/>
                    <include source="shared/not_there.txt" optional="true"/>
                </topic>
                <topic id="plain"/>
            </topics>
        </section>
    </sections>
</course>
"""
USES = "slides/module_100_a/topic_100_uses/slides_uses.py"
PLAIN = "slides/module_100_a/topic_200_plain/slides_plain.py"
FILES = {
    "course-specs/course.xml": SPEC,
    "shared/helpers/__init__.py": "",
    "shared/helpers/maths.py": "def answer():\n    return 42\n",
    "shared/data.txt": "1 2 3\n",
    "shared/flow.puml": "@startuml\nAlice -> Bob: hello\n@enduml\n",
    USES: deck_text(
        "Nutzt",
        "Uses",
        "from helpers.maths import answer\n"
        "print(answer(), sum(map(int, open('data/numbers.txt').read().split())))",
    ),
    PLAIN: deck_text("Schlicht", "Plain", "from helpers.maths import answer\nprint(answer() + 1)"),
}
SECTION = "output/shared/Course-en/Slides/{fmt}/Completed/One"


def _build(root, *args):
    result = run_clm(root, "build", "course-specs/course.xml", "--lang", "en", *args)
    return result, result.stdout + result.stderr


def _course(tmp_path, files=FILES):
    root = tmp_path / "course"
    write_files(root, files)
    return root


def test_spliced_files_are_copied_run_with_and_rendered(tmp_path):
    root = _course(tmp_path)
    result, report = _build(root)
    assert result.returncode == 0, report
    html = root / SECTION.format(fmt="Html")
    assert "42 6" in (html / "01 Uses.html").read_text(encoding="utf-8")
    assert "43" in (html / "02 Plain.html").read_text(encoding="utf-8")
    notebooks = root / SECTION.format(fmt="Notebooks")
    # Copied beside the outputs as the spec places them; the diagram rendered into img/.
    assert (notebooks / "helpers/maths.py").read_text() == FILES["shared/helpers/maths.py"]
    assert (notebooks / "data/numbers.txt").read_text() == "1 2 3\n"
    assert (notebooks / "img/flow.png").read_bytes().startswith(b"\x89PNG")
    assert not (notebooks / "pu").exists()  # a diagram's source is not shipped, as a topic's own
    assert not (notebooks / "not_there.txt").exists()
    assert "not_there" not in report  # optional: nothing to say


def test_an_edit_to_a_spliced_file_re_runs_exactly_the_decks_that_include_it(tmp_path):
    root = _course(tmp_path)
    first, report = _build(root)
    assert first.returncode == 0, report
    (root / "shared/data.txt").write_text("10 20\n")
    second, report = _build(root)
    assert second.returncode == 0, report
    executed = set(re.findall(r"^\.  (\S+):execute$", report, re.M))
    assert executed == {USES}, report
    html = root / SECTION.format(fmt="Html") / "01 Uses.html"
    assert "42 30" in html.read_text(encoding="utf-8")
    # The section's include is an input of every topic of the section.
    (root / "shared/helpers/maths.py").write_text("def answer():\n    return 41\n")
    third, report = _build(root)
    assert third.returncode == 0, report
    assert set(re.findall(r"^\.  (\S+):execute$", report, re.M)) == {USES, PLAIN}


def test_a_topics_own_file_wins_with_a_warning(tmp_path):
    own = "slides/module_100_a/topic_100_uses/data/numbers.txt"
    root = _course(tmp_path, {**FILES, own: "4 5\n"})
    result, report = _build(root)
    assert result.returncode == 0, report
    assert (
        "course-specs/course.xml:10: warning: topic 'uses' has its own data/numbers.txt, so "
        "the include of shared/data.txt does not replace it"
    ) in report
    assert "42 9" in (root / SECTION.format(fmt="Html") / "01 Uses.html").read_text("utf-8")


def test_a_missing_source_fails_only_the_including_topics_decks(tmp_path):
    spec = SPEC.replace('"shared/not_there.txt" optional="true"', '"shared/not_there.txt"')
    root = _course(tmp_path, {**FILES, "course-specs/course.xml": spec})
    result, report = _build(root)
    assert result.returncode == 1, report
    assert f"FAILED {USES}:checks" in report
    assert (
        "course-specs/course.xml:12: the include of shared/not_there.txt (as not_there.txt) "
        "into topic 'uses' finds nothing there; fix its source, or make it optional"
    ) in report
    html = root / SECTION.format(fmt="Html")
    assert (html / "02 Plain.html").exists() and not (html / "01 Uses.html").exists()
