"""A course written the CLM way builds as CLM would: its XML spec with CLM 1.35's words,
a templates/ folder CLM never reads, decks that include their sibling workshop files,
CLM's Jinja globals, a static topic, a deckless one and a clash between two topics."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_files
from tests.e2e.helpers import executed_tasks, run_clm, work_counts

pytestmark = pytest.mark.slow

SPEC = """\
<?xml version="1.0" encoding="UTF-8"?>
<course>
    <name><de>Iteration</de><en>Iteration</en></name>
    <prog-lang>python</prog-lang>
    <project-slug>iteration</project-slug>
    <author>Dr. Jane Smith</author>
    <organization><de>Meine Akademie</de><en>My Academy</en></organization>
    <github><repository-base>https://github.com/example</repository-base></github>
    <sections>
        <section id="w01">
            <name><de>Woche 1</de><en>Week 1</en></name>
            <topics>
                <subsection weekday="mon">
                    <topic>loops</topic>
                    <topic id="static" evaluate="no"/>
                </subsection>
                <topic>diagram_only</topic>
            </topics>
        </section>
        <section enabled="false">
            <name>Later</name>
            <topics><topic>not_written_yet</topic></topics>
        </section>
        <section>
            <name><de>Woche 2</de><en>Week 2</en></name>
            <topics>
                <topic>csv_one</topic>
                <topic>csv_two</topic>
                <topic>plain</topic>
            </topics>
        </section>
    </sections>
    <output-targets>
        <output-target name="students"><path>./output/students</path></output-target>
    </output-targets>
</course>
"""

HEADER = "# j2 from 'macros.j2' import header\n# {{{{ header('{de}', '{en}') }}}}\n\n"
WORKSHOP = '# %% [markdown]\n# ## Workshop\n\n# %%\nprint("workshop", sum(range(4)))\n'


def _deck(de: str, en: str, body: str) -> str:
    return HEADER.format(de=de, en=en) + body


FILES = {
    # CLM never reads a course's templates/ folder: this macro must not be used.
    "templates/macros.j2": "{% macro header(a, b) %}COURSE MACRO{% endmacro %}\n",
    "slides/module_100_basics/topic_100_loops/ws_100_iteration.py": WORKSHOP,
    "slides/module_100_basics/topic_100_loops/slides_100_for.py": _deck(
        "Schleifen",
        "Loops",
        '# %%\nprint("for", "{{ lang }}")\n\n'
        "# %% [markdown]\n# j2 if is_html\n# Only in HTML for {{ author }}, {{ organization }}.\n"
        "# j2 endif\n\n"
        '# j2 include "ws_100_iteration.py"\n',
    ),
    "slides/module_100_basics/topic_100_loops/slides_110_while.py": _deck(
        "While", "While", '# %%\nprint("while")\n\n# j2 include "ws_100_iteration.py"\n'
    ),
    "slides/module_100_basics/topic_100_loops/slides_120_range.py": _deck(
        "Range", "Range", '# %%\nprint("range", list(range(3)))\n'
    ),
    "slides/module_100_basics/topic_110_static/slides_static.py": _deck(
        "Statisch", "Static", '# %%\nprint("never run")\n'
    ),
    "slides/module_100_basics/topic_120_diagram_only/pu/flow.puml": "@startuml\nA -> B\n@enduml\n",
    "slides/module_200_data/topic_200_csv_one/slides_one.py": _deck(
        "Eins", "One", '# %%\nprint(open("data.csv").read())\n'
    ),
    "slides/module_200_data/topic_200_csv_one/data.csv": "a,b\n1,2\n",
    "slides/module_200_data/topic_210_csv_two/slides_two.py": _deck(
        "Zwei", "Two", '# %%\nprint(open("data.csv").read())\n'
    ),
    "slides/module_200_data/topic_210_csv_two/data.csv": "a,b\n3,4\n",
    "slides/module_200_data/topic_220_plain/slides_plain.py": _deck(
        "Schlicht", "Plain", '# %%\nprint("plain")\n'
    ),
}

# <output-targets> replaces the default tiers, and <project-slug> names the course folder.
COURSE = "output/students/iteration-en/Slides"
COMPLETED = f"{COURSE}/Html/Completed"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("clm-style") / "iteration"
    write_files(root, {"course-specs/iteration.xml": SPEC, **FILES})
    return root, run_clm(root, "build", "--lang", "en")


def test_it_builds_what_has_no_clash_and_fails_the_clash_with_exit_1(course):
    root, result = course
    assert result.returncode == 1, result.stdout + result.stderr
    report = result.stdout + result.stderr
    clash = "both bring 'data.csv' with different content"
    assert report.count(clash) == 1, report
    assert "topic_200_csv_one/data.csv" in report and "topic_210_csv_two/data.csv" in report
    week_2 = root / COMPLETED / "Week 2"
    assert (week_2 / "03 Plain.html").is_file()
    assert not (week_2 / "01 One.html").exists() and not (week_2 / "data.csv").exists()


def test_clms_words_are_honoured_or_named_in_one_warning(course):
    _, result = course
    report = result.stdout + result.stderr
    (warning,) = [line for line in report.splitlines() if "ignores" in line]
    for word in ("<github>", 'id="…" on <section>'):
        assert word in warning
    for honoured in ("<project-slug>", "<output-targets>"):
        assert honoured not in warning
    assert "topic 'diagram_only'" in report and "has no deck" in report


def test_decks_use_clms_macros_globals_and_sibling_includes(course):
    root, _ = course
    page = (root / COMPLETED / "Week 1" / "01 Loops.html").read_text()
    assert "COURSE MACRO" not in page, "the course's templates/ folder is not used"
    assert "Dr. Jane Smith" in page and "My Academy" in page  # the title macro
    assert "Only in HTML for Dr. Jane Smith, My Academy." in page
    assert "workshop 6" in page, "the included workshop file ran as part of the deck"
    notebook = root / COURSE / "Notebooks/Completed/Week 1"
    assert "Only in HTML" not in (notebook / "01 Loops.ipynb").read_text()


def test_a_static_topic_is_built_without_running(course):
    root, _ = course
    page = (root / COMPLETED / "Week 1" / "04 Static.html").read_text()
    assert page.count("never run") == 1, "the code shows, no output does"
    assert "range [0, 1, 2]" in (root / COMPLETED / "Week 1" / "03 Range.html").read_text()
    assert not (root / ".clm" / "executed" / "slides/module_100_basics/topic_110_static").exists()


def test_editing_a_workshop_file_rebuilds_exactly_the_decks_that_include_it(course):
    root, _ = course
    workshop = root / "slides/module_100_basics/topic_100_loops/ws_100_iteration.py"
    workshop.write_text(WORKSHOP.replace("range(4)", "range(5)"))
    result = run_clm(root, "build", "--lang", "en")
    rebuilt = {task.split(":", 1)[0] for task in executed_tasks(result)}
    topic = "slides/module_100_basics/topic_100_loops"
    assert {f"{topic}/slides_100_for.py", f"{topic}/slides_110_while.py"} <= rebuilt
    assert f"{topic}/slides_120_range.py" not in rebuilt
    assert not {task for task in rebuilt if "module_200" in task or "static" in task}
    assert "workshop 10" in (root / COMPLETED / "Week 1" / "02 While.html").read_text()
    explain = run_clm(root, "cache", "explain", f"{COMPLETED}/Week 1/02 While.html")
    assert explain.returncode == 0, explain.stderr
    workshop.write_text(WORKSHOP.replace("range(4)", "range(6)"))
    explain = run_clm(root, "cache", "explain", f"{COMPLETED}/Week 1/02 While.html")
    assert "ws_100_iteration.py" in explain.stdout, explain.stdout


def test_mending_the_clash_builds_the_held_back_topics(course):
    root, _ = course
    (root / "slides/module_200_data/topic_210_csv_two/data.csv").write_text("a,b\n1,2\n")
    result = run_clm(root, "build", "--lang", "en")
    assert result.returncode == 0, result.stdout + result.stderr
    week_2 = root / COMPLETED / "Week 2"
    assert "1,2" in (week_2 / "02 Two.html").read_text()
    assert (week_2 / "data.csv").read_text() == "a,b\n1,2\n"
    assert work_counts(result)["kernels"] >= 2


def test_the_watcher_rebuilds_exactly_the_decks_that_include_a_saved_workshop_file(course):
    from tests.e2e.test_watch import Watcher

    root, _ = course
    pages = {
        name: root / COMPLETED / "Week 1" / name for name in ("01 Loops.html", "03 Range.html")
    }
    before = {name: page.stat().st_mtime_ns for name, page in pages.items()}
    watcher = Watcher(root, ("clm", "watch"))
    try:
        workshop = root / "slides/module_100_basics/topic_100_loops/ws_100_iteration.py"
        workshop.write_text(WORKSHOP.replace("range(4)", "range(7)"))
        lines = watcher.cycle()
        assert "workshop 21" in pages["01 Loops.html"].read_text(), lines
        assert pages["03 Range.html"].stat().st_mtime_ns == before["03 Range.html"], lines
        assert not [line for line in lines if line.startswith("rebuilt:") and "range" in line]
    finally:
        watcher.stop()
