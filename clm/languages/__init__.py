"""The programming languages decks are written in, as data (clm.languages.table).

Everything that differs between a Python, a Java or a Rust deck is a field of
its ``Language``: how a cell starts, how a Jinja line starts, the jupytext
format, the notebook's kernel and language metadata, where its plain code
goes, how its kernel names the failing line. No other module knows one
language from another; they ask the deck's language, found from the deck's
file suffix (each suffix belongs to one language).
"""

from __future__ import annotations

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


def of_file(path: str | PurePath) -> Language | None:
    """The language of a file with a deck suffix (``slides_x.java``); None for others."""
    return BY_SUFFIX.get(PurePath(path).suffix)


def of_deck(path: str | PurePath) -> Language:
    """The language of a deck; decks of unknown suffixes are Python, as they always were."""
    return BY_SUFFIX.get(PurePath(path).suffix, PYTHON)
