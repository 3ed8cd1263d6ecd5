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
# CLM's one-language title macros: header_de("Titel"), header_en("Title").
_ONE_LANGUAGE_CALL = re.compile(r"\bheader_(de|en)\s*\(")
_ONE_LANGUAGE_ARG = re.compile(rf"\bheader_(?:de|en)\s*\(\s*({_STRING})\s*,?\s*\)")


def read_titles(text: str, deck: Path) -> tuple[str, str] | None:
    """The (German, English) titles, or None when the deck has no header call.

    Without a ``header`` call, CLM's ``header_de``/``header_en`` name one language
    each; the title of one stands in for the other when a deck has only one.
    """
    match = _HEADER_CALL.search(text)
    if match is None:
        return _one_language_titles(text, deck)
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


def _one_language_titles(text: str, deck: Path) -> tuple[str, str] | None:
    titles: dict[str, str] = {}
    for match in _ONE_LANGUAGE_CALL.finditer(text):
        arg = _ONE_LANGUAGE_ARG.match(text, match.start())
        if arg is None:
            raise CourseError(
                f"the header_{match.group(1)} call needs one plain string literal, e.g. "
                f'header_{match.group(1)}("Title"); clm reads it without running Jinja to '
                "name the outputs",
                deck,
                text.count("\n", 0, match.start()) + 1,
            )
        titles.setdefault(match.group(1), ast.literal_eval(arg.group(1)).strip())
    if not titles:
        return None
    german = titles.get("de", titles.get("en", ""))
    return german, titles.get("en", german)


def header_line(text: str) -> int | None:
    """The line of the deck's first header call, which names its outputs."""
    match = _HEADER_CALL.search(text) or _ONE_LANGUAGE_CALL.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def deck_titles(text: str, deck: str, languages: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(language, title) for each language: German for de, English for the others,
    the file stem for a deck without a header."""
    titles = read_titles(text, Path(deck))
    german, english = titles or (Path(deck).stem,) * 2
    return tuple((lang, german if lang == "de" else english) for lang in languages)
