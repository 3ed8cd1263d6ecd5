"""The programming languages decks are written in, as data (clm.languages.table).

Everything that differs between a Python, a Java or a Rust deck is a field of
its ``Language``: how a cell starts, how a Jinja line starts, the jupytext
format, the notebook's kernel and language metadata, where its plain code
goes, how its kernel names the failing line. No other module knows one
language from another; they ask the deck's language, found from the deck's
file suffix (each suffix belongs to one language), except for a Markdown deck
(``slides_x.md``), which is written in its topic's language.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import PurePath

from clm.languages.model import CellSyntax, KernelErrors, Language
from clm.languages.table import BY_SUFFIX, KERNEL_NAME, LANGUAGES, PYTHON, is_ipykernel

__all__ = [
    "KERNEL_NAME",
    "CellSyntax",
    "KernelErrors",
    "Language",
    "by_name",
    "is_ipykernel",
    "markdown",
    "names",
    "of_deck",
    "of_file",
    "suffixes",
    "unknown",
]


def by_name(name: str) -> Language:
    """The language a spec's prog-lang names; KeyError for one clm does not know."""
    return LANGUAGES[name]


def names() -> tuple[str, ...]:
    return tuple(LANGUAGES)


def unknown(name: str) -> str | None:
    """What is wrong with a prog-lang value, for a message; None for a known language."""
    import difflib

    known = names()
    if name in known:
        return None
    close = difflib.get_close_matches(name.strip().lower(), known, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown programming language '{name}' (known: {', '.join(known)}){hint}"


def suffixes() -> dict[str, Language]:
    """Every deck suffix, with the language of its decks."""
    return BY_SUFFIX


# A Markdown deck (slides_x.md) is written in its topic's language, as in CLM.
MARKDOWN_SUFFIX = ".md"


def of_file(path: str | PurePath) -> Language | None:
    """The language of a file with a deck suffix (``slides_x.java``, ``slides_x.md`` as
    if its topic were Python); None for others."""
    suffix = PurePath(path).suffix
    return markdown(PYTHON) if suffix == MARKDOWN_SUFFIX else BY_SUFFIX.get(suffix)


def of_deck(path: str | PurePath, topic_language: str | None = None) -> Language:
    """The language of a deck; decks of unknown suffixes are Python, as they always were.

    A Markdown deck is in its topic's language (``topic_language``, a prog-lang; Python
    when not given), read as Markdown with code fences of that language.
    """
    suffix = PurePath(path).suffix
    if suffix == MARKDOWN_SUFFIX:
        return markdown(LANGUAGES[topic_language or "python"])
    return BY_SUFFIX.get(suffix, PYTHON)


@cache
def markdown(language: Language) -> Language:
    """``language`` as a Markdown deck writes it: jupytext's md format, code in fenced
    blocks of the language, Jinja lines as in CLM's Markdown decks (``# j2``); its
    plain code and its kernel stay the language's."""
    if language.cells.style == "markdown":
        return language  # a Rust deck is Markdown already
    return dataclasses.replace(
        language,
        cells=CellSyntax("markdown", fence=language.name),
        jinja_prefix="# j2",
        jupytext_format="md",
        templates="markdown",
        more_templates=(language.templates,),
    )
