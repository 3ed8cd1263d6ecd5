"""Voiceover companions: where their narration joins a deck, and what is in no output."""

from __future__ import annotations

from clm.deck.checks import check_deck
from clm.deck.companions import merge_narration
from clm.deck.kinds import Cell
from clm.deck.prepass import Prepass


def _slide(slide_id: str | None, text: str, *tags: str) -> Cell:
    return Cell("markdown", text, tags=("slide", *tags), slide_id=slide_id)


def test_narration_joins_the_end_of_its_slides_group_up_to_the_next_slide_or_subslide():
    cells = [
        _slide(None, "title"),
        _slide("intro", "intro"),
        Cell("code", "x = 1"),
        Cell("markdown", "sub", tags=("subslide",), slide_id="details"),
        Cell("markdown", "de only", lang="de"),
    ]
    narration = [
        Cell("markdown", "about intro", tags=("voiceover",), for_slide="intro"),
        Cell("markdown", "about the title", tags=("notes",), for_slide="title"),
        Cell("markdown", "not narration", for_slide="intro"),
        Cell("markdown", "German", tags=("voiceover",), lang="de", for_slide="details"),
        Cell("markdown", "lost", tags=("voiceover",), for_slide="nowhere", line=9),
    ]
    merged, unmatched = merge_narration(cells, narration, "en")
    assert [cell.source for cell in merged] == [
        "title",
        "about the title",
        "intro",
        "x = 1",
        "about intro",
        "sub",
    ]
    assert [cell.line for cell in unmatched] == [9]
    german, _ = merge_narration(cells, narration, "de")
    assert [cell.source for cell in german][-2:] == ["de only", "German"]


DECK = """\
# %% [markdown] tags=["slide"] slide_id="loops"
# ## Loops

# %%
x = 1
"""
COMPANION = """\
# %% [markdown] tags=["voiceover"] for_slide="loops"
# Fine.

# %% [markdown] tags=["voiceover"] for_slide="loop"
# A typo.

# %% [markdown] tags=["notes"]
# No slide named.
"""


def test_a_check_names_the_companion_line_of_narration_no_output_shows(tmp_path):
    deck = tmp_path / "slides_loops.py"
    companion = tmp_path / "voiceover_loops.py"
    deck.write_text(DECK)
    companion.write_text(COMPANION)
    assert check_deck(deck, ("de", "en"), Prepass()) == []  # no companion given, no check
    warnings = check_deck(deck, ("de", "en"), Prepass(), companion)
    assert len(warnings) == 2, warnings  # once per cell, not once per language
    typo, unnamed = warnings
    assert typo.startswith(f'{companion}:4: warning: for_slide="loop" names no slide of {deck}')
    assert 'slide_id="loop"' in typo
    assert unnamed.startswith(f"{companion}:7: warning: this narration cell has no for_slide")
