"""The kind rules, in one place: which variants a deck has and what each audience sees.

A variant is one rendering of a deck: a language, an audience kind and a
format. These rules decide which variants exist (spec §2), which of them run
the deck's code, and which tagged cells each kind drops (spec §3); the deck
layer applies them, the layout names their folders.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache


class Kind(StrEnum):
    CODE_ALONG = "code-along"
    COMPLETED = "completed"
    SPEAKER = "speaker"


class Format(StrEnum):
    HTML = "html"
    NOTEBOOK = "notebook"
    CODE = "code"


# The kinds whose HTML shows what the code printed: their code runs.
EXECUTED_KINDS = (Kind.COMPLETED, Kind.SPEAKER)

# Cells with these tags are removed from a kind entirely.
REMOVED = {
    Kind.CODE_ALONG: frozenset({"alt", "del", "notes", "private"}),
    Kind.COMPLETED: frozenset({"del", "notes", "start", "private"}),
    Kind.SPEAKER: frozenset({"del", "start"}),
}
# Code cells carrying one of these keep their code in code-along; the others are emptied.
KEPT_IN_CODE_ALONG = frozenset({"keep", "start"})


@dataclass(frozen=True, order=True)
class Variant:
    """One of the many renderings of a deck: a language, an audience kind and a format."""

    lang: str
    kind: Kind
    format: Format

    @property
    def executed(self) -> bool:
        return self.format is Format.HTML and self.kind in EXECUTED_KINDS


@cache
def variants(html: bool, code_along_code: bool, languages: tuple[str, ...]) -> tuple[Variant, ...]:
    """Every variant of a deck: 14 per deck by default, 8 with ``html: false``.

    Each kind gets HTML (unless the topic says ``html: false``) and a notebook;
    the completed kind also gets plain code, and code-along too when the
    course asks for it (``code-along-code``).
    """
    found = []
    for lang in languages:
        for kind in Kind:
            formats = [Format.HTML] if html else []
            formats.append(Format.NOTEBOOK)
            if kind is Kind.COMPLETED or (kind is Kind.CODE_ALONG and code_along_code):
                formats.append(Format.CODE)
            found.extend(Variant(lang, kind, fmt) for fmt in formats)
    return tuple(found)
