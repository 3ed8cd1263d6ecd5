"""The leak matcher: words through markup and escapes, the exclusivity rule, the threshold."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import nbformat

from clm.deck.formats import html_bytes, notebook_bytes
from clm.deck.prepass import Prepass
from clm.languages.table import PYTHON
from clm.leaks.snippets import (
    DeckSnippets,
    ForbiddenText,
    deck_snippets,
    forbidden_text,
    source_cells,
)
from clm.leaks.words import SNIPPET_WORDS, file_keys, snippet_key, words

TOUR = "slides/module_200_data/topic_290_tag_tour/slides_tag_tour.py"
NOTE = "Stress that `sorted` returns a *new* list & keeps the <old> one."

DECK = f"""\
# j2 from 'macros.j2' import header
# {{{{ header("Sortieren", "Sorting") }}}}

# %% [markdown] lang="en" tags=["slide"]
# ## Sorting
#
# The sorted function gives back a fresh list every time you call it.

# %% [markdown] lang="en" tags=["notes"]
# {NOTE}

# %% [markdown] lang="de" tags=["private"]
# Nur für Vortragende: planen Sie Zeit für Fragen ein.

# %% [markdown] lang="de" tags=["notes"]
# The sorted function gives back a fresh list every time you call it.

# %% [markdown] tags=["del"]
# Too short to matter.

# %% tags=["private"]
assert sorted([3, 1, 2]) == [1, 2, 3], "the speaker's own check failed"

# %% tags=["alt"]
result = sorted(words, key=lambda word: len(word))

# %% [markdown] lang="en" tags=["answer"]
# Yes: equal keys keep their order when sorting.
"""


def _forbidden(text: str = DECK):
    return forbidden_text([deck_snippets(Prepass(), text, "deck.py", ("de", "en"))])


def _key(text: str) -> int:
    return snippet_key(text.split())


def _markdown_notebook(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(source)])


def test_words_drop_markup_escapes_and_link_targets():
    assert words("Stress that <code>sorted</code> returns &amp; <em>keeps</em>") == [
        "Stress",
        "that",
        "sorted",
        "returns",
        "keeps",
    ]
    assert words("see [the docs](https://example.org/x_y) now") == ["see", "the", "docs", "now"]
    assert words("snake_case\nname") == ["snake", "case", "name"]


def test_a_notes_cell_is_found_in_html_notebook_and_code_through_their_escapes():
    forbidden = _forbidden()
    leaked = _markdown_notebook(NOTE)
    for name, data in (
        ("page.html", html_bytes(leaked, "Sorting")),
        ("deck.ipynb", notebook_bytes(leaked)),
        ("deck.py", f"# {NOTE}\n".encode()),
    ):
        (origin,) = forbidden.leaks(file_keys(name, data), code_along=False)
        assert (origin.deck, origin.line, origin.tag) == ("deck.py", 9, "notes"), name
        assert origin.words.startswith("Stress that sorted returns")


def test_html_and_json_escapes_are_undone():
    text = 'He said "stop" & 3 < 4 then went home'
    page = html_bytes(_markdown_notebook(text), "Escapes")
    notebook = notebook_bytes(_markdown_notebook(text))
    assert b"&amp;" in page and b"&lt;" in page and b'\\"stop\\"' in notebook
    for name, data in (("page.html", page), ("deck.ipynb", notebook)):
        assert _key("he said stop 3 4 then") in file_keys(name, data), name


def test_private_code_and_a_jinja_free_public_twin():
    forbidden = _forbidden()
    code = b'assert sorted([3, 1, 2]) == [1, 2, 3], "the speaker\'s own check failed"\n'
    (origin,) = forbidden.leaks(file_keys("x.py", code), code_along=False)
    assert origin.tag == "private" and origin.line == 21
    # The German notes cell repeats the public English sentence: not a leak.
    public = b"The sorted function gives back a fresh list every time you call it."
    assert forbidden.leaks(file_keys("x.md", public), code_along=False) == []
    assert forbidden.leaks(file_keys("x.md", public), code_along=True) == []


def test_alt_and_answer_text_is_forbidden_in_code_along_only():
    forbidden = _forbidden()
    alt = b"result = sorted(words, key=lambda word: len(word))"
    answer = b"*Answer:*\n\nYes: equal keys keep their order when sorting."
    for data, tag in ((alt, "alt"), (answer, "answer")):
        assert forbidden.leaks(file_keys("x.py", data), code_along=False) == []
        (origin,) = forbidden.leaks(file_keys("x.py", data), code_along=True)
        assert origin.tag == tag


def test_fewer_words_than_the_threshold_are_never_a_hit():
    forbidden = _forbidden()
    assert forbidden.leaks(file_keys("x.md", b"Too short to matter."), code_along=False) == []
    five = " ".join(words(NOTE)[: SNIPPET_WORDS - 1]).encode()
    assert forbidden.leaks(file_keys("x.md", five), code_along=False) == []
    six = " ".join(words(NOTE)[:SNIPPET_WORDS]).encode()
    assert len(forbidden.leaks(file_keys("x.md", six), code_along=False)) == 1


def test_a_public_cell_elsewhere_in_the_course_makes_the_text_public():
    note_deck = (
        '# %% [markdown] tags=["notes"]\n# Run the setup script before the first lesson starts.\n'
    )
    public_deck = "# %% [markdown]\n# Run the setup script before the first lesson starts.\n"
    prepass = Prepass()
    notes_only = forbidden_text([deck_snippets(prepass, note_deck, "a.py", ("en",))])
    both = forbidden_text(
        [
            deck_snippets(prepass, note_deck, "a.py", ("en",)),
            deck_snippets(prepass, public_deck, "b.py", ("en",)),
        ]
    )
    text = b"Run the setup script before the first lesson starts."
    assert notes_only.leaks(file_keys("x.md", text), code_along=False)
    assert both.leaks(file_keys("x.md", text), code_along=False) == []


def test_a_public_cell_that_includes_private_text_through_jinja_stays_a_leak(tmp_path):
    (tmp_path / "secret.md").write_text("# The exam covers only chapters three and five.\n")
    deck = (
        '# %% [markdown] tags=["private"]\n# The exam covers only chapters three and five.\n\n'
        '# %% [markdown]\n# j2 include "secret.md"\n'
    )
    forbidden = forbidden_text([deck_snippets(Prepass(str(tmp_path)), deck, "a.py", ("en",))])
    assert forbidden.leaks(file_keys("x.md", b"exam covers only chapters three and five"), False)


def test_binary_files_have_no_text():
    assert (
        file_keys("img.png", b"\x89PNG\r\n\x1a\n\0\0\0 words words words words words words")
        == set()
    )


def test_cells_keep_the_author_line_and_tags():
    cells = source_cells(
        'intro\n# %% [markdown] tags=["notes"]\n# text\n# %% tags=["del"]\nx = 1', PYTHON
    )
    assert [(c.cell_type, sorted(c.tags), c.line) for c in cells] == [
        ("code", [], 1),
        ("markdown", ["notes"], 2),
        ("code", ["del"], 4),
    ]
    # After Jinja: the author's lines, and a header a template wrote keeps its caller's.
    rendered = source_cells(
        "# %% clm_line=7\n# {{ x() }}\n# %% [markdown]\n# %% clm_line=12\n", PYTHON
    )
    assert [c.line for c in rendered] == [1, 7, 7, 12]


def test_a_deck_s_snippets_survive_the_round_trip_through_the_state():
    found = deck_snippets(Prepass(), DECK, "deck.py", ("de", "en"))
    assert found.protected and found.public and found.code_along
    assert DeckSnippets.from_row(*found.to_row()) == found
    forbidden = forbidden_text([found])
    assert forbidden.public and ForbiddenText.from_json(forbidden.to_json()) == forbidden


def test_a_kind_rule_that_forgets_notes_is_caught_on_the_example_deck(monkeypatch):
    from clm.deck import kinds
    from clm.deck.notebook import variant_notebook
    from clm.plan.variants import Format, Kind

    deck = Path(__file__).parents[2] / "examples/python-basics" / TOUR
    text = deck.read_text(encoding="utf-8")
    prepass = Prepass()
    forbidden = forbidden_text([deck_snippets(prepass, text, TOUR, ("de", "en"))])

    def completed_page() -> bytes:
        notebook, _ = variant_notebook(prepass, text, deck, "en", Kind.COMPLETED, Format.NOTEBOOK)
        return notebook_bytes(notebook)

    assert forbidden.leaks(file_keys("x.ipynb", completed_page()), code_along=False) == []
    forgetful = dataclasses.replace(
        kinds.RULES[Kind.COMPLETED], removed=frozenset({"del", "start", "private"})
    )
    monkeypatch.setattr(kinds, "RULES", {**kinds.RULES, Kind.COMPLETED: forgetful})
    (origin,) = forbidden.leaks(file_keys("x.ipynb", completed_page()), code_along=False)
    assert origin.tag == "notes" and origin.deck == TOUR
    assert text.splitlines()[origin.line - 1].startswith('# %% [markdown] lang="en" tags=["notes"]')


def test_styles_and_scripts_of_a_page_are_not_its_text():
    page = b"<style>one two three four five six</style><p>seven eight nine ten eleven twelve</p>"
    page += b"<script>one two three four five six</script>"
    assert file_keys("x.html", page) == {_key("seven eight nine ten eleven twelve")}
    assert _key("one two three four five six") in file_keys("x.md", page)


def test_a_private_cell_a_template_writes_is_named_by_the_cell_that_calls_it(tmp_path):
    (tmp_path / "notes.j2").write_text(
        '{% macro secret() %}%% [markdown] tags=["private"]\n'
        "# The exam covers only chapters three and five.\n{% endmacro %}"
    )
    deck = (
        "# %% [markdown]\n# Welcome to the course and its first lesson today.\n\n"
        "# %% [markdown]\n# j2 from 'notes.j2' import secret\n# {{ secret() }}\n"
    )
    found = deck_snippets(Prepass(str(tmp_path)), deck, "a.py", ("en",))
    forbidden = forbidden_text([found])
    (origin,) = forbidden.leaks(
        file_keys("x.md", b"exam covers only chapters three and five"), False
    )
    assert (origin.deck, origin.line, origin.tag) == ("a.py", 4, "private")
