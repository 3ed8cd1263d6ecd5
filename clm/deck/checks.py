"""Every check `clm build` makes of one deck, before anything is built from it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from clm.plan.variants import Format

if TYPE_CHECKING:
    from clm.deck.prepass import Prepass


def check_deck(
    path: Path, languages: tuple[str, ...], prepass: Prepass, companion: Path | None = None
) -> list[str]:
    """Every check `clm build` makes of one deck; returns warnings, raises CourseError."""
    from clm.course.headers import read_titles
    from clm.deck.jinja import render_variant
    from clm.deck.source import check_source
    from clm.encoding import read_deck

    text = read_deck(path)
    read_titles(text, path)
    warnings = check_source(text, path, languages, prepass.language_of(path))
    for lang in languages:
        for fmt in Format:
            render_variant(prepass, text, path, lang, fmt.value)
    if companion is not None:
        warnings += _check_companion(path, text, languages, prepass, companion)
    return warnings


def _check_companion(
    deck: Path, text: str, languages: tuple[str, ...], prepass: Prepass, companion: Path
) -> list[str]:
    """Narration whose slide the deck lacks is in no output: the author is told where."""
    from clm.deck.companions import merge_narration
    from clm.deck.notebook import companion_cells, deck_cells

    narration = companion_cells(companion)
    unmatched: dict[int, str | None] = {}  # companion line → the slide id it names
    for lang in languages:
        cells = deck_cells(prepass, text, deck, lang, Format.HTML)
        for cell in merge_narration(cells, narration, lang)[1]:
            unmatched[cell.line] = cell.for_slide
    warnings = []
    for line, slide in sorted(unmatched.items()):
        if slide:
            problem = f'for_slide="{slide}" names no slide of {deck}'
            fix = f'give that slide slide_id="{slide}", or name one of its slides'
        else:
            problem = "this narration cell has no for_slide"
            fix = 'add for_slide="<the slide_id of the slide it narrates>"'
        warnings.append(f"{companion}:{line}: warning: {problem}, so it is in no output; {fix}")
    return warnings
