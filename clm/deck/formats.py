"""The three output formats, each a function from a notebook to bytes."""

from __future__ import annotations

import copy

import jupytext
import nbformat
from nbformat.notebooknode import NotebookNode

from clm.deck.page import PageScripts, exporter, page_resources
from clm.languages import Language
from clm.spec.model import MATHJAX_LOCAL

NOTES_STYLE = """<style>
.celltag_notes { border-left: 4px solid #d4a017; background: #fff8e1; }
.celltag_notes::before { content: "Notes"; display: block; font-weight: bold;
  color: #8a6d00; padding: 0.3em 0.6em 0; }
</style>
"""
# Only in pages that narrate: the others stay as they were.
VOICEOVER_STYLE = """<style>
.celltag_voiceover { border-left: 4px solid #5b7fb8; background: #eef3fb; }
.celltag_voiceover::before { content: "Voiceover"; display: block; font-weight: bold;
  color: #2f4f80; padding: 0.3em 0.6em 0; }
</style>
"""


def notebook_bytes(notebook: NotebookNode) -> bytes:
    nbformat.validate(notebook)
    return (nbformat.writes(notebook, version=4) + "\n").encode("utf-8")


def code_bytes(notebook: NotebookNode, language: Language) -> bytes:
    """A plain percent script of the language: no tags, no language metadata, no
    jupytext header."""
    plain = copy.deepcopy(notebook)
    for cell in plain.cells:
        cell.metadata = {}
        cell.pop("outputs", None)
    plain.metadata = {
        "jupytext": {"notebook_metadata_filter": "-all", "cell_metadata_filter": "-all"}
    }
    text = jupytext.writes(plain, fmt=language.code_format)
    return text.encode("utf-8")


def warm_up() -> None:
    """Build the HTML exporter and compile its templates ahead of the first output."""
    import nbformat

    html_bytes(nbformat.v4.new_notebook(), "")


def html_bytes(notebook: NotebookNode, title: str, mathjax: str = MATHJAX_LOCAL) -> bytes:
    """The page of ``notebook``, loading MathJax as the spec's ``mathjax:`` says."""
    scripts = PageScripts.of(mathjax)
    resources = page_resources(title, scripts)
    body, _ = exporter(scripts.online).from_notebook_node(notebook, resources=resources)
    style = NOTES_STYLE
    if any("voiceover" in cell.metadata.get("tags", ()) for cell in notebook.cells):
        style += VOICEOVER_STYLE
    body = body.replace("</head>", style + "</head>", 1)
    return body.encode("utf-8")
