"""A deck's HTML page, opened as a reader without network would open it."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest

from clm.deck.formats import html_bytes
from clm.deck.page import MATHJAX_CDN_URL
from clm.downloads import npm
from clm.downloads.pinned import MATHJAX
from clm.plan.layout import MATHJAX_FILE
from tests.offline_browser import chromium, look_offline

INLINE = r"$a^2 + b^2 = c^2$"
DISPLAY = r"$$\int_0^1 x\,dx = \frac{1}{2}$$"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# Where a page loads something from: an attribute or a script's import.
LOADS = re.compile(r"""(?:src|href)=["']([^"']+)|import\(["']([^"']+)""")


def _notebook() -> nbformat.NotebookNode:
    """Formulas in the text, a "$$" in code, a widget with its state, a Mermaid diagram:
    each of which nbconvert's page fetches something for."""
    notebook = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell('price = "$$"')
    code.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/plain": "IntSlider(value=3)",
                WIDGET_VIEW: {"model_id": "m1", "version_major": 2, "version_minor": 0},
            },
        )
    ]
    notebook.cells = [
        nbformat.v4.new_markdown_cell(f"## Pythagoras\n\nFor {INLINE} we have\n\n{DISPLAY}"),
        code,
        nbformat.v4.new_markdown_cell("```mermaid\ngraph LR\n  A --> B\n```"),
    ]
    notebook.metadata["widgets"] = {
        WIDGET_STATE: {"state": {"m1": {}}, "version_major": 2, "version_minor": 0}
    }
    return notebook


@pytest.fixture(scope="module")
def browser():
    with chromium() as opened:
        yield opened


def test_a_page_typesets_its_formulas_from_the_copy_beside_it_with_the_network_off(
    tmp_path, browser, mathjax_downloads
):
    html = tmp_path / "Slides" / "Html"
    page = html / "Completed" / "Week 1" / "01 Formulas.html"
    page.parent.mkdir(parents=True)
    page.write_bytes(html_bytes(_notebook(), "Formulas"))
    (html / MATHJAX_FILE).parent.mkdir(parents=True)
    shutil.copy(npm.place(MATHJAX, mathjax_downloads), html / MATHJAX_FILE)

    seen = look_offline(browser, page)

    assert seen.requests == ()
    assert seen.loaded
    assert (seen.inline, seen.display) == (1, 1)
    assert "$" not in seen.markdown and "Pythagoras" in seen.markdown


def test_a_local_page_loads_nothing_from_elsewhere():
    page = html_bytes(_notebook(), "Formulas").decode()
    loaded = [url for pair in LOADS.findall(page) for url in pair if url]
    assert [url for url in loaded if "://" in url] == []
    assert "../../mathjax/tex-svg-full.js" in loaded
    # The widget is shown by the text it prints, as its view would need a renderer.
    assert "IntSlider(value=3)" in page


@pytest.mark.parametrize(
    ("setting", "mathjax"),
    [("cdn", MATHJAX_CDN_URL), ("https://maths.example.org/tex-svg.js", None)],
)
def test_a_cdn_page_loads_mathjax_from_there_and_keeps_nbconverts_scripts(setting, mathjax):
    page = html_bytes(_notebook(), "Formulas", setting).decode()
    loaded = [url for pair in LOADS.findall(page) for url in pair if url]
    assert (mathjax or setting) in loaded
    assert MATHJAX_CDN_URL == "https://cdn.jsdelivr.net/npm/mathjax@3.2.2/es5/tex-svg-full.js"
    assert any("require" in url for url in loaded)  # widgets and older outputs use it
    assert "IntSlider(value=3)" not in page  # the widget is drawn by its renderer
