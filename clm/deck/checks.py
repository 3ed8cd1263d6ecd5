"""Every check `clm build` makes of one deck, before anything is built from it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from clm.plan.variants import Format

if TYPE_CHECKING:
    from clm.deck.prepass import Prepass


def check_deck(path: Path, languages: tuple[str, ...], prepass: Prepass) -> list[str]:
    """Every check `clm build` makes of one deck; returns warnings, raises CourseError."""
    from clm.course.headers import read_titles
    from clm.deck.jinja import render_variant
    from clm.deck.source import check_source
    from clm.encoding import read_deck

    text = read_deck(path)
    read_titles(text, path)
    warnings = check_source(text, path, languages)
    for lang in languages:
        for fmt in Format:
            render_variant(prepass, text, path, lang, fmt.value)
    return warnings
