"""From deck text to the notebook of one variant (no outputs yet)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import jupytext
import nbformat
from nbformat.notebooknode import NotebookNode

from clm.deck.companions import merge_narration
from clm.deck.jinja import render_variant
from clm.deck.kinds import Cell, cells_for, slide_type
from clm.deck.prepass import Prepass
from clm.deck.source import LINE_KEY, mark_cell_lines
from clm.encoding import read_deck
from clm.languages import Language, of_deck
from clm.plan.tags import TAGS
from clm.plan.variants import Format, Kind

_NOT_IN_METADATA = frozenset(tag.name for tag in TAGS if not tag.in_metadata)


# A package install written as a comment (`# !pip install numpy`) is a hint to the
# reader, as in CLM: jupytext would make it a live magic that installs into the
# kernel's environment on every run.
_INSTALL = re.compile(
    r"^\s*[!%]\s*(?:pip3?|pipx|python3?\s+-m\s+pip|uv(?:\s+pip)?|conda|mamba|micromamba"
    r"|poetry|apt(?:-get)?|brew|npm|yarn|pnpm)\s+(?:install|uninstall|add|remove|update|upgrade)\b"
)


def parse_cells(rendered: str, language: Language) -> list[Cell]:
    """Cells of a deck after Jinja, with the author's line numbers."""
    notebook = jupytext.reads(rendered, fmt=language.jupytext_format)
    verbatim: NotebookNode | None = None  # read again only for a deck with install hints
    cells = []
    line = 1
    for index, cell in enumerate(notebook.cells):
        metadata = cell.metadata
        line = int(metadata.get(LINE_KEY, line))
        source = cell.source
        if cell.cell_type == "code" and any(map(_INSTALL.match, source.splitlines())):
            if verbatim is None:
                verbatim = jupytext.reads(rendered, fmt=_without_magics(language))
            source = _install_hints_kept(source, verbatim.cells[index].source)
        if cell.cell_type == "markdown":
            # "# %% [markdown]" is usually followed by a bare "#" line.
            source = source.strip("\n")
        cells.append(
            Cell(
                cell_type=cell.cell_type,
                source=source,
                tags=tuple(metadata.get("tags", ())),
                lang=metadata.get("lang"),
                line=line,
                slide_id=_text(metadata.get("slide_id")),
                for_slide=_text(metadata.get("for_slide")),
                index=index,
            )
        )
    return cells


def _without_magics(language: Language) -> dict:
    """The deck's jupytext format, reading commented magics as the comments they are."""
    from jupytext.formats import long_form_one_format

    return {**long_form_one_format(language.jupytext_format), "comment_magics": False}


def _install_hints_kept(live: str, verbatim: str) -> str:
    """``live`` (as jupytext read it) with each install line jupytext uncommented as the
    author wrote it (``verbatim``, read with magics left alone)."""
    lines, written = live.split("\n"), verbatim.split("\n")
    if len(lines) != len(written):
        return live
    return "\n".join(
        author if line != author and _INSTALL.match(line) else line
        for line, author in zip(lines, written, strict=True)
    )


def companion_cells(companion: Path) -> list[Cell]:
    """The cells of a voiceover companion file, with its own line numbers (no Jinja)."""
    language = of_deck(companion)
    return parse_cells(mark_cell_lines(read_deck(companion), language), language)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def deck_cells(prepass: Prepass, text: str, deck: Path, lang: str, fmt: Format) -> list[Cell]:
    language = prepass.language_of(deck)
    return parse_cells(render_variant(prepass, text, deck, lang, fmt.value), language)


def _cell_id(index: int, cell: Cell) -> str:
    digest = hashlib.sha1(f"{index}\0{cell.cell_type}\0{cell.source}".encode()).hexdigest()
    return digest[:16]


def to_notebook(
    cells: list[Cell], lang: str, language: Language, kernel: str | None = None
) -> NotebookNode:
    """A valid nbformat 4 notebook with deterministic cell ids, for ``kernel`` (None:
    the language's own kernelspec)."""
    nb_cells = []
    for index, cell in enumerate(cells):
        metadata: dict = {}
        if tags := [tag for tag in cell.tags if tag not in _NOT_IN_METADATA]:
            metadata["tags"] = tags
        if slide := slide_type(cell):
            metadata["slideshow"] = {"slide_type": slide}
        if cell.cell_type == "code":
            node = nbformat.v4.new_code_cell(cell.source, metadata=metadata)
        elif cell.cell_type == "markdown":
            node = nbformat.v4.new_markdown_cell(cell.source, metadata=metadata)
        else:
            node = nbformat.v4.new_raw_cell(cell.source, metadata=metadata)
        node["id"] = _cell_id(index, cell)
        nb_cells.append(node)
    return nbformat.v4.new_notebook(
        cells=nb_cells,
        metadata={
            "kernelspec": language.kernelspec(kernel),
            "language_info": dict(language.language_info),
            "lang": lang,
        },
    )


def variant_notebook(
    prepass: Prepass,
    text: str,
    deck: Path,
    lang: str,
    kind: Kind,
    fmt: Format,
    kernel: str | None = None,
    companion: str | None = None,
) -> tuple[NotebookNode, list[Cell]]:
    """The notebook one variant shows (no outputs yet), and its cells.

    ``companion`` is the deck's voiceover companion file, if it has one: its
    narration joins the deck's cells, and the kind rules decide who sees it.
    """
    cells = deck_cells(prepass, text, deck, lang, fmt)
    if companion:
        cells, _ = merge_narration(cells, companion_cells(Path(companion)), lang)
    cells = cells_for(cells, lang, kind)
    return to_notebook(cells, lang, prepass.language_of(deck), kernel), cells
