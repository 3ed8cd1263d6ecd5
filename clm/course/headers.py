"""Read a deck's titles from the literals of its ``header("…", "…")`` call.

Planning must stay cheap and must not run Jinja, so the two string literals are
taken straight from the source text.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from clm.errors import CourseError

_HEADER_CALL = re.compile(r"\bheader\s*\(")
_STRING = r"""(?:[rRuU]?(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))"""
_HEADER_ARGS = re.compile(rf"\bheader\s*\(\s*({_STRING})\s*,\s*({_STRING})\s*,?\s*\)")


def read_titles(text: str, deck: Path) -> tuple[str, str] | None:
    """The (German, English) titles, or None when the deck has no header call."""
    match = _HEADER_CALL.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    args = _HEADER_ARGS.match(text, match.start())
    if args is None:
        raise CourseError(
            'the header call needs two plain string literals, e.g. header("Titel", "Title"); '
            "clm reads them without running Jinja to name the outputs",
            deck,
            line,
        )
    first, second = (ast.literal_eval(group) for group in args.groups())
    return first.strip(), second.strip()


def header_line(text: str) -> int | None:
    """The line of the deck's first header call, which names its outputs."""
    match = _HEADER_CALL.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def deck_titles(text: str, deck: str, languages: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(language, title) for each language: German for de, English for the others,
    the file stem for a deck without a header."""
    titles = read_titles(text, Path(deck))
    german, english = titles or (Path(deck).stem,) * 2
    return tuple((lang, german if lang == "de" else english) for lang in languages)
