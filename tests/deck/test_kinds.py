"""The kind rules, cell by cell, on a deck that uses every tag."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from clm.deck.formats import code_bytes, notebook_bytes
from clm.deck.kinds import Cell, cells_for
from clm.deck.notebook import deck_cells, variant_notebook
from clm.deck.prepass import Prepass
from clm.languages.table import PYTHON
from clm.plan.variants import Format, Kind

TAG_DECK = """\
# j2 from 'macros.j2' import header
# {{ header("Alle Tags", "Every Tag") }}

# %% [markdown] lang="de" tags=["slide"]
# plain-de

# %% [markdown] lang="en" tags=["subslide"]
# plain-en

# %%
# code-plain
x = 1

# %% tags=["keep"]
# code-keep

# %% tags=["start"]
# code-start

# %% tags=["alt"]
# code-alt

# %% [markdown] tags=["notes"] lang="de"
# notes-de

# %% [markdown] tags=["notes"] lang="en"
# notes-en

# %% [markdown] tags=["answer"] lang="de"
# answer-de

# %% [markdown] tags=["answer"] lang="en"
# answer-en

# %% tags=["del"]
# code-del

# %% [markdown] tags=["del"]
# md-del

# %% tags=["private"]
# code-private

# %% [markdown] tags=["private"]
# md-private

# %% tags=["raises-exception"]
# code-raises
"""

# What each kind shows, in order, per language: marker -> source as shown ("" = emptied).
EXPECTED = {
    ("de", Kind.CODE_ALONG): [
        ("plain-de", "plain-de"),
        ("code-plain", ""),
        ("code-keep", "# code-keep"),
        ("code-start", "# code-start"),
        ("answer-de", "*Antwort:*"),
        ("code-raises", ""),
    ],
    ("en", Kind.CODE_ALONG): [
        ("plain-en", "plain-en"),
        ("code-plain", ""),
        ("code-keep", "# code-keep"),
        ("code-start", "# code-start"),
        ("answer-en", "*Answer:*"),
        ("code-raises", ""),
    ],
    ("de", Kind.COMPLETED): [
        ("plain-de", "plain-de"),
        ("code-plain", "# code-plain\nx = 1"),
        ("code-keep", "# code-keep"),
        ("code-alt", "# code-alt"),
        ("answer-de", "*Antwort:*\n\nanswer-de"),
        ("code-raises", "# code-raises"),
    ],
    ("en", Kind.COMPLETED): [
        ("plain-en", "plain-en"),
        ("code-plain", "# code-plain\nx = 1"),
        ("code-keep", "# code-keep"),
        ("code-alt", "# code-alt"),
        ("answer-en", "*Answer:*\n\nanswer-en"),
        ("code-raises", "# code-raises"),
    ],
    ("de", Kind.RECORDING): [
        ("plain-de", "plain-de"),
        ("code-plain", "# code-plain\nx = 1"),
        ("code-keep", "# code-keep"),
        ("code-alt", "# code-alt"),
        ("notes-de", "notes-de"),
        ("answer-de", "*Antwort:*\n\nanswer-de"),
        ("code-private", "# code-private"),
        ("md-private", "md-private"),
        ("code-raises", "# code-raises"),
    ],
    ("en", Kind.RECORDING): [
        ("plain-en", "plain-en"),
        ("code-plain", "# code-plain\nx = 1"),
        ("code-keep", "# code-keep"),
        ("code-alt", "# code-alt"),
        ("notes-en", "notes-en"),
        ("answer-en", "*Answer:*\n\nanswer-en"),
        ("code-private", "# code-private"),
        ("md-private", "md-private"),
        ("code-raises", "# code-raises"),
    ],
}

MARKERS = [
    "plain-de", "plain-en", "code-plain", "code-keep", "code-start", "code-alt", "notes-de",
    "notes-en", "answer-de", "answer-en", "code-del", "md-del", "code-private", "md-private",
    "code-raises",
]  # fmt: skip


def _marker(cell: Cell, original: list[Cell]) -> str:
    index = [c.line for c in original].index(cell.line)
    return next(m for m in MARKERS if m in original[index].source)


@pytest.mark.parametrize(("lang", "kind"), list(EXPECTED))
def test_each_kind_keeps_empties_and_drops_cells(lang, kind):
    original = deck_cells(Prepass(), TAG_DECK, Path("d.py"), lang, Format.NOTEBOOK)
    shown = [c for c in cells_for(original, lang, kind) if "<h1" not in c.source]
    assert [(_marker(c, original), c.source) for c in shown] == EXPECTED[(lang, kind)]


def test_cells_remember_the_authors_lines():
    original = deck_cells(Prepass(), TAG_DECK, Path("d.py"), "de", Format.HTML)
    by_marker = {next((m for m in MARKERS if m in c.source), None): c.line for c in original}
    assert by_marker["plain-de"] == 4
    assert by_marker["code-raises"] == 47


def test_notebook_is_valid_with_deterministic_ids_and_slides():
    prepass = Prepass()
    first, _ = variant_notebook(
        prepass, TAG_DECK, Path("d.py"), "en", Kind.RECORDING, Format.NOTEBOOK
    )
    second, _ = variant_notebook(
        prepass, TAG_DECK, Path("d.py"), "en", Kind.RECORDING, Format.NOTEBOOK
    )
    assert notebook_bytes(first) == notebook_bytes(second)
    nbformat.validate(nbformat.reads(notebook_bytes(first).decode(), as_version=4))
    notes = next(c for c in first.cells if "notes-en" in c.source)
    assert notes.metadata["slideshow"] == {"slide_type": "notes"}
    assert all("lang" not in c.metadata for c in first.cells)


def test_code_format_has_no_tags_or_language_metadata():
    prepass = Prepass()
    notebook, _ = variant_notebook(
        prepass, TAG_DECK, Path("d.py"), "de", Kind.COMPLETED, Format.CODE
    )
    text = code_bytes(notebook, PYTHON).decode()
    assert "tags" not in text and "lang=" not in text and "jupytext" not in text
    assert text.startswith("# %% [markdown]\n")
    assert "# %%\n# code-plain\nx = 1\n" in text
