"""CLM 1.35's output model on a course written from its documentation.

Tiers and targets (``clm info spec-files``: "Default output structure",
``<output-targets>``, "Output kinds") and the tags of ``slide-format.md``
(``voiceover``, ``completed``, ``workshop``, ``end-workshop``, voiceover
companions): the exact file tree, what each kind shows (a marker per tag, in
every notebook), no narration in any student output, one execution per deck.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from clm.plan.layout import MATHJAX_FILE
from tests.conftest import write_files
from tests.e2e.helpers import output_files, run_clm, work_counts

SPEC = """\
<?xml version="1.0" encoding="UTF-8"?>
<course>
    <name><de>Demo-Kurs</de><en>Demo Course</en></name>
    <prog-lang>python</prog-lang>
    <project-slug>demo</project-slug>
    <sections>
        <section>
            <name><de>Erster Teil</de><en>First Part</en></name>
            <topics><topic>basics</topic></topics>
        </section>
        <section>
            <name><de>Zweiter Teil</de><en>Second Part</en></name>
            <topics><topic>workshop</topic></topics>
        </section>
    </sections>
    <dir-groups>
        <dir-group><name>Examples</name><path>examples</path></dir-group>
    </dir-groups>
{targets}</course>
"""
TARGETS = """\
    <output-targets>
        <output-target name="students">
            <path>./output/students</path>
            <kinds><kind>code-along</kind></kinds>
            <formats><format>notebook</format></formats>
            <languages><language>en</language></languages>
        </output-target>
        <output-target name="solutions">
            <path>./output/solutions</path>
            <kinds><kind>completed</kind><kind>partial</kind></kinds>
        </output-target>
        <output-target name="staff">
            <path>./output/staff</path>
            <kinds><kind>trainer</kind><kind>recording</kind></kinds>
            <formats><format>html</format></formats>
        </output-target>
    </output-targets>
"""
BASICS = "slides/module_100_demo/topic_100_basics"
WORKSHOP = "slides/module_100_demo/topic_200_workshop"

BASICS_DECK = """\
# j2 from 'macros.j2' import header
# {{ header("Grundlagen", "Basics") }}

# %% [markdown] lang="de" tags=["slide"] slide_id="variables"
# ## Variablen

# %% [markdown] lang="en" tags=["slide"] slide_id="variables"
# ## Variables

# %% tags=["keep"]
keep_mark = "KEEP-MARK"

# %%
plain_mark = "PLAIN-MARK"

# %% tags=["start"]
start_mark = "START-MARK"

# %% tags=["completed"]
completed_mark = "COMPLETED-MARK"

# %% tags=["alt"]
alt_mark = "ALT-MARK"

# %% [markdown] tags=["answer"]
# ANSWER-MARK is the answer.

# %% [markdown] tags=["notes"]
# NOTES-MARK: remind the group of the break.

# %% [markdown] lang="en" tags=["voiceover"] slide_id="variables"
# VOICEOVER-MARK: variables store values, and the narration says so at length.

# %% [markdown] lang="de" tags=["voiceover"] slide_id="variables"
# VOICEOVER-MARK: Variablen speichern Werte, und die Erzählung sagt es ausführlich.

# %% [markdown] tags=["private"]
# PRIVATE-MARK: the exam covers chapter three.

# %% tags=["del"]
del_mark = "DEL-MARK"

# %% [markdown] lang="en" tags=["slide"] slide_id="printing"
# ## Printing

# %% [markdown] lang="de" tags=["slide"] slide_id="printing"
# ## Ausgeben

# %% tags=["keep"]
print(plain_mark, completed_mark)
"""
COMPANION = """\
# %% [markdown] lang="en" tags=["voiceover"] for_slide="variables"
# COMPANION-VOICEOVER-MARK: the companion narrates variables in its own words.

# %% [markdown] lang="de" tags=["voiceover"] for_slide="variables"
# COMPANION-VOICEOVER-MARK: der Begleiter erzählt von Variablen in eigenen Worten.

# %% [markdown] tags=["notes"] for_slide="printing"
# COMPANION-NOTES-MARK: printing needs a live demo here.

# %% [markdown] tags=["voiceover"] for_slide="printng"
# COMPANION-LOST-MARK: a typo in for_slide puts this in no output.
"""
WORKSHOP_DECK = """\
# j2 from 'macros.j2' import header
# {{ header("Werkstatt", "Workshop") }}

# %% [markdown] tags=["slide"] slide_id="demo"
# ## Demo

# %%
before_mark = "BEFORE-MARK"
"BEFORE" + "-OUT"

# %% [markdown] tags=["slide", "workshop"] slide_id="workshop-sums"
# ## Workshop: sums

# %% tags=["start"]
ws_start_mark = "WS-START-MARK"

# %% tags=["completed"]
ws_completed_mark = "WS-COMPLETED-MARK"

# %% tags=["keep"]
ws_keep_mark = "WS-KEEP-MARK"
"WS-KEEP" + "-OUT"

# %% [markdown] tags=["slide", "end-workshop"] slide_id="after"
# ## After the workshop

# %%
after_mark = "AFTER-MARK"
"AFTER" + "-OUT"
"""

# Which kinds show each marker (slide-format.md's tag reference, clm135-facts.md).
STUDENT = ("code-along", "completed", "partial")
SHOWN_BY = {
    "KEEP-MARK": {"code-along", "completed", "trainer", "recording", "partial"},
    "PLAIN-MARK": {"completed", "trainer", "recording", "partial"},
    "START-MARK": {"code-along"},
    "COMPLETED-MARK": {"completed", "trainer", "recording", "partial"},
    "ALT-MARK": {"completed", "trainer", "recording", "partial"},
    "ANSWER-MARK": {"completed", "trainer", "recording", "partial"},
    "NOTES-MARK": {"trainer", "recording"},
    "COMPANION-NOTES-MARK": {"trainer", "recording"},
    "VOICEOVER-MARK": {"recording"},
    "COMPANION-VOICEOVER-MARK": {"recording"},
    "PRIVATE-MARK": {"trainer", "recording"},
    "DEL-MARK": set(),
}
# In the workshop deck, partial is code-along inside the range and completed outside.
WORKSHOP_SHOWN_BY = {
    "BEFORE-MARK": {"completed", "trainer", "recording", "partial"},
    "WS-START-MARK": {"code-along", "partial"},
    "WS-COMPLETED-MARK": {"completed", "trainer", "recording"},
    "WS-KEEP-MARK": {"code-along", "completed", "trainer", "recording", "partial"},
    "AFTER-MARK": {"completed", "trainer", "recording", "partial"},
}
NARRATION = ("VOICEOVER-MARK", "COMPANION-VOICEOVER-MARK", "NOTES-MARK", "COMPANION-NOTES-MARK")


def _course(tmp_path: Path, targets: str = "") -> Path:
    root = tmp_path / "course"
    write_files(
        root,
        {
            "course-specs/demo.xml": SPEC.format(targets=targets),
            f"{BASICS}/slides_basics.py": BASICS_DECK,
            f"{BASICS}/voiceover/voiceover_basics.py": COMPANION,
            f"{BASICS}/data.csv": "a,b\n1,2\n",
            f"{BASICS}/slides_basics.http-cassette.yaml": "interactions: []\n",
            f"{WORKSHOP}/slides_workshop.py": WORKSHOP_DECK,
            "examples/hello.py": "print('hello')\n",
        },
    )
    return root


def _tree(tier: str, lang: str, kinds: dict[str, tuple[str, ...]]) -> set[str]:
    """The files CLM 1.35 documents for one tier and language: each kind in each format
    (plain code for completed only), the topic data beside the first section's decks;
    and clm's MathJax where there are HTML pages."""
    course, slides = (f"demo-{lang}", "Folien" if lang == "de" else "Slides")
    sections = {"de": ("Erster Teil", "Zweiter Teil"), "en": ("First Part", "Second Part")}[lang]
    titles = {"de": ("Grundlagen", "Werkstatt"), "en": ("Basics", "Workshop")}[lang]
    folders = {"html": ("Html", ".html"), "notebook": ("Notebooks", ".ipynb")}
    folders["code"] = ("Python", ".py")
    files = {f"output/{tier}/{course}/Examples/hello.py"} if tier else set()
    for kind, formats in kinds.items():
        for fmt in formats:
            folder, suffix = folders[fmt]
            for section, title in zip(sections, titles, strict=True):
                base = f"output/{tier}/{course}/{slides}/{folder}/{kind}/{section}"
                files.add(f"{base}/01 {title}{suffix}")
            files.add(f"output/{tier}/{course}/{slides}/{folder}/{kind}/{sections[0]}/data.csv")
            if fmt == "html":
                files.add(f"output/{tier}/{course}/{slides}/Html/{MATHJAX_FILE}")
    return files


def _cells(notebook: bytes) -> str:
    return "\n".join("".join(cell["source"]) for cell in json.loads(notebook)["cells"])


def _kind_of(path: str) -> str:
    for kind in ("Code-Along", "Completed", "Trainer", "Recording", "Partial"):
        if f"/{kind}/" in path:
            return kind.lower()
    raise AssertionError(path)


def _check_cells(files: dict[str, bytes]) -> int:
    """Every notebook shows exactly the markers its kind shows; returns how many were read."""
    read = 0
    for path, data in files.items():
        if not path.endswith(".ipynb"):
            continue
        kind, text = _kind_of(path), _cells(data)
        shown_by = SHOWN_BY if "Basics" in path or "Grundlagen" in path else WORKSHOP_SHOWN_BY
        for marker, kinds in shown_by.items():
            assert (marker in text) == (kind in kinds), (path, marker)
        read += 1
    return read


def _no_narration_for_students(files: dict[str, bytes]) -> None:
    for path, data in files.items():
        if "voiceover" in path or path.endswith(".http-cassette.yaml"):
            raise AssertionError(f"a sidecar was copied: {path}")
        student = path.startswith("output/shared/") or _kind_of_or_none(path) in STUDENT
        if student:
            for marker in (*NARRATION, "PRIVATE-MARK", "DEL-MARK"):
                assert marker.encode() not in data, (path, marker)


def _kind_of_or_none(path: str) -> str | None:
    try:
        return _kind_of(path)
    except AssertionError:
        return None


def test_the_default_tiers_of_clm_1_35(tmp_path):
    root = _course(tmp_path)
    result = run_clm(root, "build", "-j", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    files = {p: d for p, d in output_files(root).items() if p.startswith("output/")}
    all_formats = ("html", "notebook")
    student = {"Code-Along": all_formats, "Completed": (*all_formats, "code")}
    expected: set[str] = set()
    for lang in ("de", "en"):
        expected |= _tree("shared", lang, student)
        expected |= _tree("trainer", lang, {**student, "Trainer": all_formats})
        expected |= _tree("speaker", lang, {"Recording": all_formats})
    assert set(files) == expected
    companion = f"{BASICS}/voiceover/voiceover_basics.py"
    warning = f'{companion}:10: warning: for_slide="printng" names no slide of'
    assert (result.stdout + result.stderr).count(warning) == 1, result.stdout + result.stderr
    assert not [path for path, data in files.items() if b"COMPANION-LOST-MARK" in data]
    # The trainer tier repeats shared's student files byte for byte.
    for path in files:
        if path.startswith("output/shared/"):
            assert files[path] == files[path.replace("/shared/", "/trainer/", 1)], path
    assert _check_cells(files) == 2 * 2 * 6  # decks × languages × notebooks
    _no_narration_for_students(files)
    # One execution per deck serves completed, trainer and recording of both languages.
    assert work_counts(result)["kernels"] == 2
    executed = files["output/speaker/demo-en/Slides/Html/Recording/First Part/01 Basics.html"]
    assert b"PLAIN-MARK COMPLETED-MARK" in executed  # the printed output
    assert b"celltag_voiceover" in executed


def test_three_targets_filtered_by_kind_format_and_language(tmp_path):
    root = _course(tmp_path, TARGETS)
    result = run_clm(root, "build", "-j", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    files = {p: d for p, d in output_files(root).items() if p.startswith("output/")}
    all_formats = ("html", "notebook", "code")
    code_free = ("html", "notebook")
    expected = _tree("students", "en", {"Code-Along": ("notebook",)})
    for lang in ("de", "en"):
        expected |= _tree("solutions", lang, {"Completed": all_formats, "Partial": code_free})
        expected |= _tree("staff", lang, {"Trainer": ("html",), "Recording": ("html",)})
    assert set(files) == expected
    assert _check_cells(files) == 2 + 2 * 2 * 2  # students' two, solutions' completed+partial
    _no_narration_for_students(files)
    # Partial shows the completed code's outputs outside the workshop, none inside.
    partial = files["output/solutions/demo-en/Slides/Html/Partial/Second Part/01 Workshop.html"]
    assert b"BEFORE-OUT" in partial and b"AFTER-OUT" in partial
    assert b"WS-KEEP-MARK" in partial and b"WS-KEEP-OUT" not in partial
    completed = files["output/solutions/demo-en/Slides/Html/Completed/Second Part/01 Workshop.html"]
    assert b"WS-KEEP-OUT" in completed
    assert work_counts(result)["kernels"] == 2

    # Only the named targets: nothing else is written, nothing is removed.
    (root / f"{BASICS}/slides_basics.py").write_text(BASICS_DECK.replace("Printing", "Output"))
    result = run_clm(root, "build", "--targets", "students")
    assert result.returncode == 0, result.stdout + result.stderr
    assert work_counts(result)["written"] == 1  # the English code-along notebook
    after = output_files(root)
    changed = {p for p in files if after.get(p) != files[p]}
    assert changed and all(p.startswith("output/students/") for p in changed)
    unknown = run_clm(root, "build", "--targets", "teachers")
    assert unknown.returncode == 2
    assert "no target 'teachers'" in unknown.stderr and "students, solutions, staff" in (
        unknown.stderr
    )


def test_moving_from_the_classic_tree_removes_only_clms_own_files(tmp_path):
    root = _course(tmp_path)
    spec = root / "course-specs/demo.xml"
    spec.write_text(SPEC.format(targets="").replace("<course>", '<course output-layout="classic">'))
    result = run_clm(root, "build", "-j", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    classic = output_files(root / "output")
    assert "public/En/Demo Course/Slides/Html/Completed/First Part/01 Basics.html" in classic
    assert "speaker/En/Demo Course/Slides/Html/Speaker/First Part/01 Basics.html" in classic
    mine = root / "output/public/En/publish.sh"
    mine.write_text("git push\n")
    spec.write_text(SPEC.format(targets=""))
    result = run_clm(root, "build", "-j", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    left = sorted(
        p for p in output_files(root / "output") if p.startswith(("public", "speaker/En"))
    )
    assert left == ["public/En/publish.sh"]
    assert (root / "output/shared/demo-en/Examples/hello.py").is_file()
    # The classic tree's tasks are gone, and so are their records (each run reads them all).
    with sqlite3.connect(root / ".clm/state.sqlite") as state:
        tasks = [task for (task,) in state.execute("select task_id from doit_tasks")]
    assert tasks and not [task for task in tasks if ":output/public/" in task]
    assert not [task for task in tasks if ":output/speaker/En/" in task]


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("/srv/out", "leaves the course root"),
        ("output/../../elsewhere", "contains '..'"),
        (".", "cannot be the course root itself"),
        ("slides/out", "lies inside slides/"),
    ],
)
def test_a_target_path_clm_1_35_refuses_is_a_spec_error(tmp_path, path, problem):
    root = _course(tmp_path, TARGETS.replace("./output/solutions", path))
    result = run_clm(root, "build")
    assert result.returncode == 2
    assert "course-specs/demo.xml:" in result.stderr and problem in result.stderr
    assert "'solutions'" in result.stderr or "output folder" in result.stderr
    assert not (root / "output").exists()
