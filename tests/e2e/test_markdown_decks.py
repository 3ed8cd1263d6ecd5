"""Markdown decks as CLM has them: ``slides_x.md`` is written in its topic's language.

jupytext's md format: markdown cells with metadata are ``<!-- #region … -->``
blocks, code cells are fences of the topic's language; Jinja lines start with
``# j2``. The outputs are those of any deck of the language: executed HTML, a
notebook with the language's kernel, plain code in the language's percent format.
"""

from __future__ import annotations

import json

from tests.conftest import write_files
from tests.e2e.helpers import run_clm

SPEC = """\
name: {de: Kurs, en: Course}
output-layout: classic
sections:
  - name: {de: Eins, en: One}
    topics:
      - notes
      - {id: beans, prog-lang: java}
"""
DECK = """\
# j2 from 'macros.j2' import header
{{{{ header("{de}", "{en}") }}}}

<!-- #region lang="de" tags=["slide"] -->
## Hallo
<!-- #endregion -->

<!-- #region lang="en" tags=["slide"] -->
## Hello
<!-- #endregion -->

```{fence}
{code}
```
"""
PYTHON = "slides/module_100_a/topic_100_notes/slides_notes.md"
JAVA = "slides/module_100_a/topic_200_beans.md"
FILES = {
    "course.yaml": SPEC,
    PYTHON: DECK.format(de="Notizen", en="Notes", fence="python", code="print(6 * 7)"),
    JAVA: DECK.format(de="Bohnen", en="Beans", fence="java", code='System.out.println("j" + 42);'),
}
ENGLISH = "output/public/En/Course/Slides"


def test_markdown_decks_build_in_their_topics_language(tmp_path):
    root = tmp_path / "course"
    write_files(root, FILES)
    result = run_clm(root, "build", "--lang", "en")
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    html = root / ENGLISH / "Html/Completed/One"
    python_html = (html / "01 Notes.html").read_text(encoding="utf-8")
    assert "<pre>42" in python_html and "Hello" in python_html and "Hallo" not in python_html
    assert "j42" in (html / "02 Beans.html").read_text(encoding="utf-8")
    # Plain code in the topic's language, as a deck of that language makes it.
    code = (root / ENGLISH / "Python/Completed/One/01 Notes.py").read_text()
    assert code.startswith("# %% [markdown]") and "\n# %%\nprint(6 * 7)\n" in code
    java_code = (root / ENGLISH / "Java/Completed/One/02 Beans.java").read_text()
    assert java_code.startswith("// %% [markdown]") and 'System.out.println("j" + 42);' in java_code
    notebook = json.loads((root / ENGLISH / "Notebooks/Completed/One/02 Beans.ipynb").read_text())
    assert notebook["metadata"]["kernelspec"]["name"] == "java"


def test_a_bad_markdown_cell_header_names_its_line(tmp_path):
    root = tmp_path / "course"
    broken = FILES[PYTHON].replace(
        '<!-- #region lang="en" tags=["slide"] -->', '<!-- #region tags=["slide" -->'
    )
    write_files(root, {**FILES, PYTHON: broken})
    result = run_clm(root, "validate")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{PYTHON}:8: malformed cell header" in result.stderr
