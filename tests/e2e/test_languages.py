"""Decks in Java, TypeScript, C++, C# and Rust, built with the real kernels installed here.

JJava and Deno run Java and TypeScript; C++, C# and Rust have no kernel on these
machines, so their decks build every output that runs no code and their
executed HTML fails with the command that installs the kernel. A topic's
``kernel:`` routes its decks to another kernelspec (bash, here).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import write_files
from tests.e2e.helpers import run_clm, work_counts

pytestmark = pytest.mark.slow

SPEC = """\
name:
  de: Sprachen
  en: Languages
prog-lang: java
sections:
  - name:
      de: Woche 1
      en: Week 1
    topics:
      - hello
      - id: values
        prog-lang: typescript
      - id: pointers
        prog-lang: cpp
      - id: linq
        prog-lang: csharp
      - id: ownership
        prog-lang: rust
"""

JAVA = "slides/module_100_a/topic_100_hello/slides_hello.java"
JAVA_DECK = """\
// j2 from 'macros.j2' import header
// {{ header("Hallo Java", "Hello Java") }}

// %% [markdown] lang="de" tags=["slide"]
// ## Ausgabe mit println

// %% [markdown] lang="en" tags=["slide"]
// ## Output with println

// %% tags=["keep"]
System.out.println("printed by " + "the JVM");

// %%
int answer = 6 * 7;
answer
"""

TS = "slides/module_100_a/topic_110_values/slides_values.ts"
TS_DECK = """\
// j2 from 'macros.j2' import header
// {{ header("Werte", "Values") }}

// %% [markdown] lang="de" tags=["slide"]
// ## Typen

// %% [markdown] lang="en" tags=["slide"]
// ## Types

// %%
const side: number = 9;
side * side + 1
"""

CPP = "slides/module_100_a/topic_120_pointers/slides_pointers.cpp"
CPP_DECK = """\
// -*- coding: utf-8 -*-
// j2 from 'macros.j2' import header
// {{ header("Zeiger", "Pointers") }}

// %% [markdown] lang="de" tags=["slide"]
// ## Adressen

// %% [markdown] lang="en" tags=["slide"]
// ## Addresses

// %% tags=["keep"]
int value = 42;
int* pointer = &value;

// %% tags=["alt"]
*pointer
"""

CS = "slides/module_100_a/topic_130_linq/slides_linq.cs"
CS_DECK = """\
// j2 from 'macros.j2' import header
// {{ header("Abfragen", "Queries") }}

// %% [markdown] lang="en" tags=["slide"]
// ## Where and Select

// %% [markdown] lang="de" tags=["slide"]
// ## Where und Select

// %%
var squares = Enumerable.Range(1, 5).Select(n => n * n);
"""

RUST = "slides/module_100_a/topic_140_ownership/slides_ownership.rs"
RUST_DECK = """\
# j2 from 'macros.j2' import header
{{ header("Besitz", "Ownership") }}

<!-- #region lang="de" tags=["slide"] -->
## Jeder Wert hat einen Besitzer
<!-- #endregion -->

<!-- #region lang="en" tags=["slide"] -->
## Every value has one owner
<!-- #endregion -->

```rust tags=["keep"]
let owner = String::from("text");
```

<!-- #region lang="en" tags=["notes"] -->
Moving the value ends the first binding.
<!-- #endregion -->
"""

SLIDES = "output/shared/Languages-en/Slides"


def _course(root: Path, spec: str = SPEC) -> Path:
    write_files(
        root,
        {
            "course.yaml": spec,
            JAVA: JAVA_DECK,
            TS: TS_DECK,
            CPP: CPP_DECK,
            CS: CS_DECK,
            RUST: RUST_DECK,
        },
    )
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = _course(tmp_path_factory.mktemp("languages"))
    result = run_clm(root, "build")
    return root, result


def _outputs(root: Path, stem: str) -> set[str]:
    return {
        path.relative_to(root / "output").as_posix()
        for path in (root / "output").rglob(f"* {stem}.*")
    }


def test_java_and_typescript_decks_build_all_their_outputs_with_real_outputs(built):
    root, result = built
    said = result.stdout + result.stderr
    # Per language: shared 5 (code-along and completed, completed code), trainer 7, speaker 2.
    for stem in ("Hello Java", "Hallo Java", "Values", "Werte"):
        assert len(_outputs(root, stem)) == 14, (stem, said)
    page = (root / SLIDES / "Html/Completed/Week 1/01 Hello Java.html").read_text()
    assert "printed by the JVM" in page and ">42<" in page
    page = (root / SLIDES / "Html/Completed/Week 1/02 Values.html").read_text()
    assert "82" in page
    code = (root / SLIDES / "Java/Completed/Week 1/01 Hello Java.java").read_text()
    assert code.startswith("// %% [markdown]") and 'System.out.println("printed by "' in code
    assert (root / SLIDES / "TypeScript/Completed/Week 1/02 Values.ts").is_file()
    notebook = json.loads(
        (root / SLIDES / "Notebooks/Code-Along/Week 1/01 Hello Java.ipynb").read_text()
    )
    assert notebook["metadata"]["kernelspec"]["name"] == "java"
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert [("".join(c["source"]) != "") for c in code_cells] == [True, False]
    assert code_cells[0]["metadata"]["tags"] == ["keep"]


def test_decks_without_a_kernel_build_everything_but_their_executed_html(built):
    root, result = built
    assert result.returncode == 1, result.stdout + result.stderr
    for deck, kernel, hint in [
        (CPP, "xcpp20", "conda-forge xeus-cpp"),
        (CS, ".net-csharp", "dotnet tool install -g Microsoft.dotnet-interactive"),
        (RUST, "rust", "cargo install evcxr_jupyter"),
    ]:
        message = next(line for line in result.stdout.splitlines() if line.startswith(f"{deck}:"))
        assert f"kernel '{kernel}' is not installed" in message and hint in message
    for stem, folder, suffix in [
        ("Pointers", "Cpp", ".cpp"),
        ("Queries", "CSharp", ".cs"),
        ("Ownership", "Rust", ".rs"),
    ]:
        built_outputs = _outputs(root, stem)
        # Notebooks (shared 2, trainer 3, speaker 1), code-along HTML and code (shared, trainer).
        assert len(built_outputs) == 6 + 2 + 2, built_outputs
        assert f"shared/Languages-en/Slides/{folder}/Completed/Week 1/0" in " ".join(built_outputs)
        assert any(name.endswith(suffix) for name in built_outputs)
        assert not any("Html/Completed" in name for name in built_outputs)
    rust = json.loads(
        (
            root
            / "output/speaker/Languages-en/Slides/Notebooks/Recording/Week 1/05 Ownership.ipynb"
        ).read_text()
    )
    sources = ["".join(cell["source"]) for cell in rust["cells"]]
    assert "Moving the value ends the first binding." in sources
    assert 'let owner = String::from("text");' in sources


def test_a_java_compile_error_and_a_typescript_exception_name_the_deck_line(tmp_path):
    root = _course(tmp_path / "course")
    java = root / JAVA
    java.write_text(java.read_text() + "\n// %%\nint count = 1;\nString name = count;\n")
    ts = root / TS
    ts.write_text(ts.read_text() + '\n// %%\nconst limit = 3;\nthrow new Error("over " + limit);\n')
    result = run_clm(root, "build")
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    java_line = len(JAVA_DECK.splitlines()) + 4  # the appended cell's second line
    ts_line = len(TS_DECK.splitlines()) + 4
    assert f"{JAVA}:{java_line} (in the deck: String name = count;): CompilationException: " in out
    assert "incompatible types: int cannot be converted to java.lang.String" in out
    assert f'{TS}:{ts_line} (in the deck: throw new Error("over " + limit);): Error: over 3' in out


def test_a_prose_edit_starts_no_kernel_and_a_code_edit_starts_one(built, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(built[0], root)
    java = root / JAVA
    java.write_text(java.read_text().replace("## Output with println", "## Printing"))
    prose = run_clm(root, "build", "--only", "hello")
    assert prose.returncode == 0, prose.stdout + prose.stderr
    assert work_counts(prose)["kernels"] == 0 and work_counts(prose)["cached"] == 1
    java.write_text(java.read_text().replace("6 * 7", "6 * 8"))
    code = run_clm(root, "build", "--only", "hello")
    assert code.returncode == 0, code.stdout + code.stderr
    assert work_counts(code)["kernels"] == 1
    page = (root / SLIDES / "Html/Completed/Week 1/01 Hello Java.html").read_text()
    assert ">48<" in page and "Printing" in page


def test_a_topic_kernel_routes_its_decks_to_that_kernelspec(tmp_path):
    spec = SPEC.replace("prog-lang: cpp\n", "prog-lang: cpp\n        kernel: bash\n")
    root = _course(tmp_path / "course", spec)
    (root / CPP).write_text(
        CPP_DECK.replace(
            "int value = 42;\nint* pointer = &value;", 'echo "bash says $((6 * 7))"'
        ).replace("*pointer", "echo second")
    )
    result = run_clm(root, "build", "--only", "pointers")
    assert result.returncode == 0, result.stdout + result.stderr
    assert work_counts(result)["kernels"] == 1
    page = (root / SLIDES / "Html/Completed/Week 1/03 Pointers.html").read_text()
    assert "bash says 42" in page
    notebook = json.loads(
        (root / SLIDES / "Notebooks/Completed/Week 1/03 Pointers.ipynb").read_text()
    )
    assert notebook["metadata"]["kernelspec"]["name"] == "bash"
    assert notebook["metadata"]["language_info"]["name"] == "C++"


def test_watch_rebuilds_a_java_deck_and_reports_its_compile_error(built, tmp_path):
    from tests.e2e.test_watch import Watcher

    root = tmp_path / "course"
    shutil.copytree(built[0], root)
    watcher = Watcher(root, ("clm", "watch"))
    try:
        java = root / JAVA
        java.write_text(java.read_text().replace("6 * 7", "6 * 9"))
        watcher.cycle()
        page = (root / SLIDES / "Html/Completed/Week 1/01 Hello Java.html").read_text()
        assert ">54<" in page
        java.write_text(java.read_text() + "\n// %%\nint broken = true;\n")
        lines = watcher.cycle()
        line = len(JAVA_DECK.splitlines()) + 3
        assert any(f"{JAVA}:{line} (in the deck: int broken = true;)" in row for row in lines), (
            "\n".join(lines)
        )
    finally:
        watcher.stop()
