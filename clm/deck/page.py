"""The HTML page of a deck: nbconvert's lab page, with MathJax 3 and no third-party request.

nbconvert's lab template loads require.js and MathJax 2.7 (at its end of life)
from a public CDN on every view, and Mermaid when a page has a diagram: offline
(a classroom, a USB stick) formulas stay TeX source, online every view tells a
third party who reads what. A clm page loads MathJax from where the spec's
``mathjax:`` says:

- ``local`` (the default): from the copy clm puts in the course folder
  (clm.plan.layout.MATHJAX_FROM_PAGE). The page asks nobody for anything:
  no require.js, no widget renderer, no Mermaid; a widget is shown by what it
  prints (its text or HTML form), a Mermaid diagram by its source.
- ``cdn``, or the URL of a MathJax 3 script: from there. Such a page goes online
  anyway, so it keeps nbconvert's require.js, widget renderer and Mermaid.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from jinja2 import DictLoader

from clm.downloads.pinned import MATHJAX
from clm.plan.layout import MATHJAX_FROM_PAGE
from clm.spec.model import MATHJAX_CDN, MATHJAX_LOCAL

# The pinned MathJax (clm.downloads.pinned) as a public CDN serves it.
MATHJAX_CDN_URL = (
    f"https://cdn.jsdelivr.net/npm/{MATHJAX.package}@{MATHJAX.version}/"
    f"{MATHJAX.member.removeprefix('package/')}"
)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

_TEMPLATE = "clm-page.html.j2"
# The delimiters and equation numbers of Jupyter's own MathJax setup; code
# (<pre>, <code>) is never typeset, as MathJax 3 skips those elements.
_PAGE = r"""{%- extends 'index.html.j2' -%}

{%- block html_head_js_requirejs -%}
{%- if resources.clm_online -%}{{ super() }}{%- endif -%}
{%- endblock html_head_js_requirejs -%}

{%- block jupyter_widgets -%}
{%- if resources.clm_online -%}{{ super() }}{%- endif -%}
{%- endblock jupyter_widgets -%}

{%- block html_head_js_mathjax -%}
<script>
window.MathJax = {
  tex: {
    inlineMath: [['$', '$'], ['\\(', '\\)']],
    displayMath: [['$$', '$$'], ['\\[', '\\]']],
    processEscapes: true,
    processEnvironments: true,
    tags: 'ams'
  },
  svg: {fontCache: 'global'}
};
</script>
<script src="{{ resources.clm_mathjax | e }}" async></script>
{%- endblock html_head_js_mathjax -%}

{%- block html_head_js_mermaidjs -%}
{%- if resources.clm_online -%}{{ super() }}{%- endif -%}
{%- endblock html_head_js_mermaidjs -%}
"""


@dataclass(frozen=True)
class PageScripts:
    """Where a page loads MathJax from, and whether it may load anything else from afar."""

    mathjax: str  # the script's URL; relative to the page for the local copy
    online: bool

    @classmethod
    def of(cls, setting: str) -> PageScripts:
        """The scripts of the spec's ``mathjax:`` setting (checked by the spec reader)."""
        if setting == MATHJAX_LOCAL:
            return cls(MATHJAX_FROM_PAGE, online=False)
        if setting == MATHJAX_CDN:
            return cls(MATHJAX_CDN_URL, online=True)
        return cls(setting, online=True)


@cache
def exporter(online: bool):
    """nbconvert's HTML exporter for a page that may (or may not) load scripts from afar.

    Built once per worker (templates and all); imported here, for planning must not
    pay for nbconvert.
    """
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    if not online:
        # Without the renderer a widget's view would be an empty box: show the
        # form it prints instead.
        priority = HTMLExporter().default_config.NbConvertBase.display_data_priority
        config.NbConvertBase.display_data_priority = [k for k in priority if k != WIDGET_VIEW]
    return HTMLExporter(
        config=config,
        template_name="lab",
        template_file=_TEMPLATE,
        extra_loaders=[DictLoader({_TEMPLATE: _PAGE})],
        embed_images=False,
    )


def page_resources(title: str, scripts: PageScripts) -> dict:
    """What the template reads besides the notebook."""
    return {
        "metadata": {"name": title},
        "clm_mathjax": scripts.mathjax,
        "clm_online": scripts.online,
    }
