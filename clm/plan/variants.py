"""The kind rules, in one place: which variants a deck has and what each audience sees.

A variant is one rendering of a deck: a language, an audience kind and a
format. These rules decide which variants exist, which of them run the deck's
code, and which tagged cells each kind drops or empties (the tags themselves,
and the kinds that drop each, are clm.plan.tags' table); the deck layer
applies them (clm.deck.kinds), the layout names their folders. The kinds
are clm.plan.kinds'.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from clm.plan.kinds import Kind  # imported from here too, with the rules
from clm.plan.tags import TAGS, dropped_by


class Format(StrEnum):
    HTML = "html"
    NOTEBOOK = "notebook"
    CODE = "code"


@dataclass(frozen=True)
class KindRules:
    """What one kind does with the tagged cells of a deck."""

    removed: frozenset[str]  # cells with one of these tags are dropped (clm.plan.tags)
    blanks_code: bool = False  # code cells without keep/start are emptied
    answer_stub_only: bool = False  # answer text gives way to its stub
    executed: bool = False  # its HTML shows what the code printed
    for_students: bool = True  # never shows notes, voiceover or private text
    workshops: bool = False  # code-along rules inside workshop ranges, completed outside


RULES: dict[Kind, KindRules] = {
    Kind.CODE_ALONG: KindRules(
        dropped_by(Kind.CODE_ALONG), blanks_code=True, answer_stub_only=True
    ),
    Kind.COMPLETED: KindRules(dropped_by(Kind.COMPLETED), executed=True),
    Kind.TRAINER: KindRules(dropped_by(Kind.TRAINER), executed=True, for_students=False),
    Kind.RECORDING: KindRules(dropped_by(Kind.RECORDING), executed=True, for_students=False),
    Kind.PARTIAL: KindRules(dropped_by(Kind.PARTIAL), executed=True, workshops=True),
}

# Code cells carrying one of these keep their code in code-along; the others are emptied.
KEPT_IN_CODE_ALONG = frozenset(tag.name for tag in TAGS if tag.keeps_code)

# The kinds whose HTML shows what the code printed: their code runs.
EXECUTED_KINDS = tuple(kind for kind, rules in RULES.items() if rules.executed)
STUDENT_KINDS = tuple(kind for kind, rules in RULES.items() if rules.for_students)

# The formats a kind has when a target asks for all: CLM writes plain code for
# completed only (code-along too with the spec's code-along-code).
ALL_FORMATS = (Format.HTML, Format.NOTEBOOK, Format.CODE)


@dataclass(frozen=True, order=True)
class Variant:
    """One of the many renderings of a deck: a language, an audience kind and a format."""

    lang: str
    kind: Kind
    format: Format

    @property
    def executed(self) -> bool:
        return self.format is Format.HTML and RULES[self.kind].executed


def has_format(kind: Kind, fmt: Format, html: bool, code_along_code: bool) -> bool:
    """Whether a deck of a topic has ``fmt`` for ``kind`` at all.

    ``html: false`` topics have no HTML; plain code is the completed kind's,
    and code-along's too when the course asks for it (``code-along-code``).
    """
    if fmt is Format.HTML:
        return html
    if fmt is Format.CODE:
        return kind is Kind.COMPLETED or (kind is Kind.CODE_ALONG and code_along_code)
    return True
