"""The Java example course, built for real in JJava and Deno: its outputs, tags and kinds."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from tests.e2e.conftest import REPO
from tests.e2e.helpers import run_clm

pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "java-basics"
SPEC = "course-specs/java-basics.yaml"
COURSE = {"de": ("Java-Grundlagen", "Folien"), "en": ("Java Basics", "Slides")}
INTRO = "slides/module_100_basics/topic_100_intro/slides_intro.java"
LOOPS = "slides/module_100_basics/topic_110_control_flow.java"
CLASSES = "slides/module_200_objects/topic_200_classes/slides_classes.java"
COLLECTIONS = "slides/module_200_objects/topic_210_collections/slides_collections.java"
TYPESCRIPT = "slides/module_300_outlook/topic_300_typescript.ts"
WEEK_1 = {"de": "Woche 1 Grundlagen", "en": "Week 1 Basics"}
WEEK_2 = {"de": "Woche 2 Objekte und Sammlungen", "en": "Week 2 Objects and Collections"}
OUTLOOK = {"de": "Ausblick", "en": "Outlook"}
# Each deck: per language its section folder and its file stem, and the folder of
# its plain code.
DECKS = {
    INTRO: (WEEK_1, {"de": "01 Einführung in Java", "en": "01 Introduction to Java"}, "Java"),
    LOOPS: (
        WEEK_1,
        {"de": "02 Verzweigungen und Schleifen", "en": "02 Branches and Loops"},
        "Java",
    ),
    CLASSES: (WEEK_2, {"de": "01 Klassen und Records", "en": "01 Classes and Records"}, "Java"),
    COLLECTIONS: (WEEK_2, {"de": "02 Listen und Maps", "en": "02 Lists and Maps"}, "Java"),
    TYPESCRIPT: (
        OUTLOOK,
        {"de": "01 Ein Blick auf TypeScript", "en": "01 A Glimpse of TypeScript"},
        "TypeScript",
    ),
}
CODE_SUFFIXES = {"Java": ".java", "TypeScript": ".ts"}
# The files the topics bring beside their decks' outputs.
DATA_NAMES = {"Point.java", "cities.csv", "shapes.png"}
_OUTPUT_TEXT = re.compile(
    r'<div class="jp-RenderedText jp-OutputArea-output[^"]*"[^>]*>\s*<pre>(.*?)</pre>', re.S
)


# CLM 1.35's default tiers and the kinds each holds, the student tier first.
TIERS = {
    "shared": ("Code-Along", "Completed"),
    "trainer": ("Code-Along", "Completed", "Trainer"),
    "speaker": ("Recording",),
}


def expected_outputs(deck: str) -> set[str]:
    """The 28 outputs of a deck, written out from the layout rules: per language and tier,
    HTML and a notebook for each kind of the tier, and the plain code of the completed kind."""
    sections, stems, code_folder = DECKS[deck]
    paths = set()
    for lang, (course, slides) in COURSE.items():
        section, stem = sections[lang], stems[lang]
        for tier, kinds in TIERS.items():
            base = f"output/{tier}/{course}-{lang}/{slides}"
            for kind in kinds:
                paths.add(f"{base}/Html/{kind}/{section}/{stem}.html")
                paths.add(f"{base}/Notebooks/{kind}/{section}/{stem}.ipynb")
                if kind == "Completed":
                    suffix = CODE_SUFFIXES[code_folder]
                    paths.add(f"{base}/{code_folder}/{kind}/{section}/{stem}{suffix}")
    return paths


def output_of(root: Path, deck: str, lang: str, kind: str, fmt: str) -> Path:
    """One of the deck's expected outputs, from the first tier that holds ``kind``: ``fmt``
    is html, notebook or code."""
    code_folder = DECKS[deck][2]
    folder = {"html": "Html", "notebook": "Notebooks", "code": code_folder}[fmt]
    tier = next(tier for tier, kinds in TIERS.items() if kind in kinds)
    matches = [
        p
        for p in expected_outputs(deck)
        if p.startswith(f"output/{tier}/") and f"-{lang}/" in p and f"/{folder}/{kind}/" in p
    ]
    assert len(matches) == 1, matches
    return root / matches[0]


def printed(page: Path) -> str:
    """What the executed code printed or returned, as the HTML page shows it."""
    found = _OUTPUT_TEXT.findall(page.read_text(encoding="utf-8"))
    return "\n".join(html.unescape(re.sub(r"<[^>]+>", "", text)) for text in found)


def notes_lines(deck: Path) -> list[tuple[str, str]]:
    """(lang, the first words of the first line) of every notes cell of a deck's source."""
    found = []
    cells = re.split(r"^// %%", deck.read_text(encoding="utf-8"), flags=re.M)[1:]
    for cell in cells:
        header, _, body = cell.partition("\n")
        if '"notes"' not in header:
            continue
        lang = re.search(r'lang="(\w+)"', header).group(1)
        text = next(line[3:] for line in body.splitlines() if line.strip() not in ("", "//"))
        found.append((lang, text.split("`")[0].strip()))
    return found


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """The example course built once with `clm build`, in a copy without build results."""
    root = tmp_path_factory.mktemp("java") / "java-basics"
    ignore = shutil.ignore_patterns("output", ".clm", "__pycache__")
    shutil.copytree(EXAMPLE, root, ignore=ignore)
    result = run_clm(root, "build", SPEC, timeout=900)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    # clm's warnings read "<file>:<line>: warning: …" (a test run under coverage adds
    # coverage's own to stderr).
    assert ": warning:" not in log, log[-5000:]
    return root


def test_every_deck_builds_its_twenty_eight_outputs_and_nothing_else(course):
    from clm.course.discovery import build_course
    from clm.plan.layout import MATHJAX_FILE
    from clm.plan.outputs import plan_course
    from clm.spec import load_spec

    plan = plan_course(build_course(load_spec(course / SPEC)))
    planned = {deck.deck.path: {p for o in deck.outputs for p in o.paths} for deck in plan.decks}
    assert sorted(planned) == sorted(DECKS)
    for deck in DECKS:
        assert len(expected_outputs(deck)) == 28
        assert planned[deck] == expected_outputs(deck), deck
    written = {
        p.relative_to(course).as_posix()
        for p in (course / "output").rglob("*")
        if p.is_file() and p.name not in DATA_NAMES
    }
    # Besides, MathJax for the pages: once in each course folder.
    assert set(plan.mathjax) == {p for p in written if p.endswith(MATHJAX_FILE)}
    assert len(plan.mathjax) == 6
    decks_wrote = written - set(plan.mathjax)
    assert decks_wrote == set().union(*(expected_outputs(deck) for deck in DECKS))


def test_plain_code_goes_to_the_folder_of_its_language(course):
    intro = output_of(course, INTRO, "en", "Completed", "code")
    assert intro.relative_to(course).as_posix() == (
        "output/shared/Java Basics-en/Slides/Java/Completed/Week 1 Basics/"
        "01 Introduction to Java.java"
    )
    assert 'System.out.println("Hello, world!");' in intro.read_text(encoding="utf-8")
    script = output_of(course, TYPESCRIPT, "de", "Completed", "code")
    assert script.relative_to(course).as_posix() == (
        "output/shared/Java-Grundlagen-de/Folien/TypeScript/Completed/Ausblick/"
        "01 Ein Blick auf TypeScript.ts"
    )
    assert "cities.reduce(" in script.read_text(encoding="utf-8")  # the alt cell is kept


def test_code_along_notebooks_keep_only_keep_and_start_code(course):
    tags_kept = set()
    for deck in DECKS:
        for lang in COURSE:
            notebook = nbformat.read(output_of(course, deck, lang, "Code-Along", "notebook"), 4)
            nbformat.validate(notebook)
            for cell in notebook.cells:
                tags = set(cell.metadata.get("tags", []))
                assert not tags & {"alt", "notes"}, (deck, cell.source)
                if cell.cell_type == "code" and cell.source.strip():
                    assert tags & {"keep", "start"}, (deck, lang, cell.source)
                    tags_kept |= tags & {"keep", "start"}
                if "answer" in tags:
                    assert cell.source in ("*Antwort:*", "*Answer:*"), cell.source
    assert tags_kept == {"keep", "start"}


def test_completed_html_shows_what_the_kernels_printed(course):
    for lang, hello in (("de", "Hallo, Welt!"), ("en", "Hello, world!")):
        assert hello in printed(output_of(course, INTRO, lang, "Completed", "html"))
        assert "Round 3" in printed(output_of(course, LOOPS, lang, "Completed", "html"))
        # Point.java, loaded with %load, and cities.csv, read by its name.
        shown = printed(output_of(course, CLASSES, lang, "Completed", "html"))
        assert "Point[x=3.0, y=4.0]" in shown
        shown = printed(output_of(course, COLLECTIONS, lang, "Completed", "html"))
        assert "name,country,population" in shown and "Berlin: 3755000" in shown
        assert "UnsupportedOperationException" in shown  # the raises-exception cell
        for deck in DECKS:
            assert printed(output_of(course, deck, lang, "Code-Along", "html")) == ""


def test_completed_html_shows_the_typescript_values(course):
    for lang in COURSE:
        values = printed(output_of(course, TYPESCRIPT, lang, "Completed", "html"))
        assert "Berlin, Wien, Zürich" in values and "6189000" in values, values


def test_notes_reach_the_trainer_and_recording_html_and_no_student_output(course):
    public = {
        p: p.read_text(encoding="utf-8", errors="replace")
        for p in (course / "output").rglob("*")
        if p.is_file()
        and p.suffix != ".png"
        and ("/Code-Along/" in str(p) or "/Completed/" in str(p))
    }
    checked = 0
    for deck in DECKS:
        for lang, text in notes_lines(course / deck):
            assert len(text) >= 15, text
            for kind in ("Trainer", "Recording"):
                page = output_of(course, deck, lang, kind, "html")
                assert text in page.read_text(encoding="utf-8"), (deck, kind, text)
            assert not [p for p, content in public.items() if text in content], text
            checked += 1
    assert checked >= 8  # at least four decks with notes in both languages


def test_the_diagram_and_the_data_files_sit_beside_the_outputs(course):
    for lang in COURSE:
        page = output_of(course, CLASSES, lang, "Completed", "html")
        assert 'src="img/shapes.png"' in page.read_text(encoding="utf-8")
        assert (page.parent / "img/shapes.png").read_bytes().startswith(b"\x89PNG")
        assert (page.parent / "Point.java").is_file()
        assert (page.parent / "cities.csv").is_file()
