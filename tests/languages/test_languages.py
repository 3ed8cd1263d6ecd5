"""Each language's facts, and the places that read them: cells, Jinja, notebooks, spec."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clm import languages
from clm.course.discovery import build_course
from clm.course.model import is_deck_name
from clm.deck.formats import code_bytes
from clm.deck.notebook import deck_cells, variant_notebook
from clm.deck.prepass import Prepass
from clm.deck.source import check_source, mark_cell_lines
from clm.errors import CourseError
from clm.languages.table import CPP, CSHARP, JAVA, PYTHON, RUST, TYPESCRIPT
from clm.plan.variants import Format, Kind
from clm.spec import load_spec

JAVA_DECK = """\
// j2 from 'macros.j2' import header
// {{ header("Schleifen", "Loops") }}

// %% [markdown] lang="de" tags=["slide"]
// ## Zählen

// %% [markdown] lang="en" tags=["slide"]
// ## Counting

// %% tags=["start"]
// hier beginnen

// %%
for (int i = 0; i < 3; i++) {
    System.out.println(i);
}

// %% [markdown] lang="en" tags=["notes"]
// Mention the off-by-one.
"""

RUST_DECK = """\
# j2 from 'macros.j2' import header
{{ header("Besitz", "Ownership") }}

<!-- #region lang="en" tags=["slide"] -->
## Moves
<!-- #endregion -->

```rust tags=["keep"]
let a = String::from("x");
```

Plain prose between cells.

```rust
let b = a;
```
"""


def test_clm_knows_the_six_languages_by_clms_names():
    assert languages.names() == ("python", "cpp", "csharp", "java", "typescript", "rust")
    kernels = {lang.name: lang.kernel for lang in map(languages.by_name, languages.names())}
    assert kernels == {
        "python": "python3",
        "cpp": "xcpp20",
        "csharp": ".net-csharp",
        "java": "java",
        "typescript": "deno",
        "rust": "rust",
    }
    assert {lang.suffix: lang.name for lang in languages.suffixes().values()} == {
        ".py": "python",
        ".cpp": "cpp",
        ".cs": "csharp",
        ".java": "java",
        ".ts": "typescript",
        ".rs": "rust",
    }
    assert [lang.jinja_prefix for lang in (CPP, CSHARP, JAVA, TYPESCRIPT)] == ["// j2"] * 4
    assert PYTHON.jinja_prefix == RUST.jinja_prefix == "# j2" and RUST.jupytext_format == "md"


def test_deck_names_take_every_language_suffix():
    for name in ("slides_a.py", "topic_100_b.java", "slides_c.ts", "slides_d.cpp", "slides_e.rs"):
        assert is_deck_name(name)
    assert not is_deck_name("slides_notes.txt") and not is_deck_name("Point.java")


def test_percent_cells_start_with_the_languages_comment():
    assert JAVA.cells.header('// %% [markdown] lang="de"') == (None, ' [markdown] lang="de"')
    assert JAVA.cells.header("//%%") == (None, "")
    assert JAVA.cells.header("# %%") is None and PYTHON.cells.header("// %%") is None
    assert JAVA.cells.header("// %%x") is None


def test_markdown_cells_are_fences_and_regions():
    cells = RUST.cells
    assert cells.header('```rust tags=["keep"]') == ("code", ' tags=["keep"]')
    assert cells.header('<!-- #region lang="de" -->') == ("markdown", ' lang="de"')
    assert cells.header("<!-- #raw -->") == ("raw", "")
    assert cells.header("```python") is None and cells.header("```") is None
    assert cells.mark('<!-- #region lang="de" -->', "clm_line", 4) == (
        '<!-- #region lang="de" clm_line=4 -->'
    )
    assert cells.mark("```rust", "clm_line", 9) == "```rust clm_line=9"


def test_cell_lines_and_tag_checks_follow_the_author_in_every_syntax():
    marked = mark_cell_lines(JAVA_DECK, JAVA).splitlines()
    assert marked[3] == '// %% [markdown] lang="de" tags=["slide"] clm_line=4'
    warnings = check_source(JAVA_DECK.replace('"notes"', '"nots"'), Path("d.java"), ("de", "en"))
    assert len(warnings) == 1 and warnings[0].startswith("d.java:18: warning: unknown tag 'nots'")
    warnings = check_source(RUST_DECK.replace('"keep"', '"kept"'), Path("d.rs"), ("de", "en"))
    assert len(warnings) == 1 and warnings[0].startswith("d.rs:8: warning: unknown tag 'kept'")
    with pytest.raises(CourseError) as raised:
        check_source(JAVA_DECK.replace('tags=["start"]', "tags=[start]"), Path("d.java"))
    assert raised.value.line == 10


def test_a_java_deck_becomes_a_java_notebook_and_java_code():
    deck = Path("slides/m/topic_100_loops/slides_loops.java")
    cells = deck_cells(Prepass(), JAVA_DECK, deck, "en", Format.NOTEBOOK)
    assert [(cell.cell_type, cell.line) for cell in cells][-3:] == [
        ("code", 10),
        ("code", 13),
        ("markdown", 18),
    ]
    assert cells[-2].source.startswith("for (int i = 0;")
    notebook, _ = variant_notebook(Prepass(), JAVA_DECK, deck, "en", Kind.COMPLETED, Format.CODE)
    assert notebook.metadata["kernelspec"] == {
        "name": "java",
        "display_name": "Java",
        "language": "Java",
    }
    assert notebook.metadata["language_info"]["file_extension"] == ".java"
    code = code_bytes(notebook, JAVA).decode()
    assert code.startswith("// %% [markdown]\n// <div") and "System.out.println(i);" in code
    assert "tags" not in code and "jupytext" not in code
    html_header = deck_cells(Prepass(), JAVA_DECK, deck, "en", Format.HTML)[0].source
    assert html_header.startswith('<img src="data:image/svg+xml;base64,')
    assert "<img" not in deck_cells(Prepass(), JAVA_DECK, deck, "en", Format.CODE)[0].source


def test_a_chosen_kernel_is_named_in_the_notebook():
    deck = Path("slides_loops.java")
    notebook, _ = variant_notebook(
        Prepass(), JAVA_DECK, deck, "en", Kind.COMPLETED, Format.NOTEBOOK, "bash"
    )
    assert notebook.metadata["kernelspec"] == {
        "name": "bash",
        "display_name": "bash",
        "language": "Java",
    }


def test_a_rust_deck_is_markdown_with_rust_fences():
    deck = Path("slides_ownership.rs")
    cells = deck_cells(Prepass(), RUST_DECK, deck, "en", Format.NOTEBOOK)
    assert [(c.cell_type, c.lang) for c in cells[:2]] == [("markdown", "de"), ("markdown", "en")]
    assert [(c.cell_type, c.tags) for c in cells[2:]] == [
        ("markdown", ("slide",)),
        ("code", ("keep",)),
        ("markdown", ()),
        ("code", ()),
    ]
    assert cells[3].source == 'let a = String::from("x");' and cells[3].line == 8
    assert cells[2].source == "## Moves"
    notebook, _ = variant_notebook(Prepass(), RUST_DECK, deck, "en", Kind.COMPLETED, Format.CODE)
    code = code_bytes(notebook, RUST).decode()
    assert '// %%\nlet a = String::from("x");' in code


def test_kernel_errors_name_the_line_in_the_cell():
    java_traceback = ['\x1b[1m|   int y = \x1b[41m"s"\x1b[0m;', "incompatible types: boom", ""]
    evalue = '[snippet: [int y = "s";], status: REJECTED]'
    source = 'int x = 1;\nint y = "s";\n'
    assert JAVA.errors.cell_line(java_traceback, evalue, source) == 2
    assert JAVA.errors.message("CompilationException", evalue, java_traceback) == (
        "CompilationException: incompatible types: boom"
    )
    runtime = ["\x1b[31mjava.lang.IllegalStateException: boom\x1b[0m", "\tat .(#15:1)"]
    assert JAVA.errors.message("RuntimeException", "java.lang.X, boom", runtime) == (
        "java.lang.IllegalStateException: boom"
    )
    assert TYPESCRIPT.errors.message("Error", "boom", ["Error: boom"]) == "Error: boom"
    deno = ["Error: boom", "    at f (<anonymous>:2:9)", "    at <anonymous>:5:1"]
    assert TYPESCRIPT.errors.cell_line(deno, "boom", "") == 5
    python = ["Cell In[3], line 1", "Cell In[4], line 7"]
    assert PYTHON.errors.cell_line(python, "", "") == 7
    assert RUST.errors.cell_line(["error"], "", "") is None


SPEC = """\
name: {de: Kurs, en: Course}
prog-lang: java
kernel: xcpp17
sections:
  - name: {de: Eins, en: One}
    topics:
      - loops
      - id: hello
        prog-lang: python
        kernel: python3
"""


def test_the_course_and_a_topic_choose_language_and_kernel(make_course):
    spec = make_course(
        SPEC,
        {
            "slides/m/topic_100_loops/slides_loops.java": JAVA_DECK,
            "slides/m/topic_110_hello/slides_hello.py": "# %%\nprint(1)\n",
        },
    )
    course = build_course(load_spec(spec))
    loops, hello = course.sections[0].topics
    assert (loops.language, loops.kernel) == ("java", "xcpp17")
    assert (hello.language, hello.kernel) == ("python", "python3")


def test_a_deck_in_another_language_than_its_topic_is_an_error(make_course):
    spec = make_course(
        SPEC.replace("        prog-lang: python\n", ""),
        {
            "slides/m/topic_100_loops/slides_loops.java": JAVA_DECK,
            "slides/m/topic_110_hello/slides_hello.py": "# %%\nprint(1)\n",
        },
    )
    with pytest.raises(CourseError) as raised:
        build_course(load_spec(spec))
    message = str(raised.value)
    assert message.startswith(f"{spec}:2: the deck slides/m/topic_110_hello/slides_hello.py is")
    assert "rename it to slides_hello.java, or give topic 'hello' prog-lang: python" in message


@pytest.mark.parametrize(
    ("spec", "line", "hint"),
    [
        (SPEC.replace("prog-lang: java", "prog-lang: jav"), 2, "did you mean 'java'?"),
        (SPEC.replace("prog-lang: python", "prog-lang: Pyton"), 9, "did you mean 'python'?"),
    ],
)
def test_an_unknown_language_names_its_line(make_course, spec, line, hint):
    path = make_course(spec, {})
    with pytest.raises(CourseError) as raised:
        load_spec(path)
    assert raised.value.line == line and hint in str(raised.value)


def test_xml_specs_take_prog_lang_and_kernel(make_course):
    xml = """\
        <course kernel="bash">
          <name><de>Kurs</de><en>Course</en></name>
          <prog-lang>typescript</prog-lang>
          <sections>
            <section>
              <name><de>Eins</de><en>One</en></name>
              <topics><topic prog-lang="java" kernel="java">loops</topic></topics>
            </section>
          </sections>
        </course>
    """
    spec = load_spec(make_course(xml, {}, name="course-specs/course.xml"))
    assert (spec.prog_lang, spec.prog_lang_line, spec.kernel) == ("typescript", 3, "bash")
    (topic,) = spec.sections[0].topics
    assert (topic.prog_lang, topic.kernel) == ("java", "java")
    with pytest.raises(CourseError) as raised:
        load_spec(make_course(xml.replace(">typescript<", ">cobol<"), {}, name="c.xml"))
    assert raised.value.line == 3 and "unknown programming language 'cobol'" in str(raised.value)


def test_the_logo_files_are_the_drawings_beside_them():
    import base64

    from clm.templates import PACKAGE_TEMPLATES

    drawings = sorted(PACKAGE_TEMPLATES.rglob("*-logo.svg"))
    assert len(drawings) == 6
    for drawing in drawings:
        encoded = drawing.with_name(drawing.name + ".base64").read_text()
        assert base64.b64decode(encoded) == drawing.read_bytes()
    assert json.loads(json.dumps(JAVA.language_info)) == JAVA.language_info


def test_a_single_file_java_topic_brings_the_classes_it_loads(make_course):
    deck = JAVA_DECK.replace("// hier beginnen", "%load Point.java\nnew Point(1, 2)")
    spec = make_course(
        SPEC.replace("      - id: hello\n        prog-lang: python\n        kernel: python3\n", ""),
        {
            "slides/m/topic_100_loops.java": deck,
            "slides/m/Point.java": "record Point(int x, int y) {}\n",
            "slides/m/Other.java": "class Other {}\n",
        },
    )
    (topic,) = build_course(load_spec(spec)).sections[0].topics
    assert [f.relative for f in topic.execution_inputs] == ["Point.java"]
    assert [f.relative for f in topic.data] == ["Point.java"]
