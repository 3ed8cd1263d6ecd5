"""The grammar of ``[text](clm:…)`` cross-references: where they are found, how they are
rewritten."""

from __future__ import annotations

from clm.deck.xrefs import deck_references, rewrite
from clm.languages import of_deck
from clm.plan.xrefs import Reference

DECK = """\
# %% [markdown] lang="de"
# Siehe [Schleifen](clm:loops) und
# [die while-Schleife]( clm:loops/slides_while#top ).

# %%
text = "[not a link](clm:in_code)"

# %% [markdown]
# ![ein Bild](img/x.png), [normal](https://example.com), [zwei](clm:two)
"""


def test_references_are_found_in_markdown_cells_with_their_lines():
    found = deck_references(DECK, of_deck("slides_x.py"))
    assert found == (
        Reference("loops", 2),
        Reference("loops/slides_while#top", 3),
        Reference("two", 9),
    )
    assert [(r.topic, r.deck) for r in found] == [
        ("loops", None),
        ("loops", "slides_while"),  # the anchor is accepted and ignored, as in CLM
        ("two", None),
    ]


def test_a_java_deck_and_a_link_text_over_two_lines():
    deck = "// %% [markdown]\n// See [the while\n// loop](clm:loops)\n\n// %%\nint x = 1;\n"
    assert deck_references(deck, of_deck("slides_x.java")) == (Reference("loops", 2),)


def test_a_markdown_deck_finds_references_outside_its_code_fences():
    deck = "# Title\n\nSee [loops](clm:loops).\n\n```rust\n// [no](clm:code)\n```\n[b](clm:b)\n"
    assert deck_references(deck, of_deck("slides_x.rs")) == (
        Reference("loops", 3),
        Reference("b", 8),
    )


def test_a_deck_without_the_scheme_has_none():
    assert deck_references("# %% [markdown]\n# [a](https://x)\n", of_deck("slides_x.py")) == ()


def test_rewrite_leads_drops_or_leaves_each_reference():
    markdown = "See [A](clm:a), [B]( clm:b ) and [C](clm:c)."
    hrefs = {"a": "../Zwei/01%20Erstes.html", "b": ""}
    assert rewrite(markdown, hrefs) == "See [A](../Zwei/01%20Erstes.html), B and [C](clm:c)."
