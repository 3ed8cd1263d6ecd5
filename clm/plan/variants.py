"""The kind rules, in one place: which variants a deck has and what each audience sees.

A variant is one rendering of a deck: a language, an audience kind and a
format. These rules decide which variants exist, which of them run the deck's
code, and which tagged cells each kind drops or empties; the deck layer
applies them (clm.deck.kinds), the layout names their folders.

The kinds are CLM 1.35's: two for students (code-along, completed), two for
trainers (trainer keeps the speaker notes, recording the voiceover narration
too), and partial, which is completed outside workshop ranges and code-along
inside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    CODE_ALONG = "code-along"
    COMPLETED = "completed"
    TRAINER = "trainer"
    RECORDING = "recording"
    PARTIAL = "partial"


class Format(StrEnum):
    HTML = "html"
    NOTEBOOK = "notebook"
    CODE = "code"


# CLM 1.35's old name of the recording kind, still read from specs (with a warning).
KIND_ALIASES = {"speaker": Kind.RECORDING}


@dataclass(frozen=True)
class KindRules:
    """What one kind does with the tagged cells of a deck."""

    removed: frozenset[str]  # cells with one of these tags are dropped
    blanks_code: bool = False  # code cells without keep/start are emptied
    answer_stub_only: bool = False  # answer text gives way to its stub
    executed: bool = False  # its HTML shows what the code printed
    for_students: bool = True  # never shows notes, voiceover or private text
    workshops: bool = False  # code-along rules inside workshop ranges, completed outside


_STUDENT_NEVER = frozenset({"del", "notes", "voiceover", "private"})

RULES: dict[Kind, KindRules] = {
    Kind.CODE_ALONG: KindRules(
        _STUDENT_NEVER | {"alt", "completed"}, blanks_code=True, answer_stub_only=True
    ),
    Kind.COMPLETED: KindRules(_STUDENT_NEVER | {"start"}, executed=True),
    Kind.TRAINER: KindRules(
        frozenset({"del", "start", "voiceover"}), executed=True, for_students=False
    ),
    Kind.RECORDING: KindRules(frozenset({"del", "start"}), executed=True, for_students=False),
    Kind.PARTIAL: KindRules(_STUDENT_NEVER | {"start"}, executed=True, workshops=True),
}

# Code cells carrying one of these keep their code in code-along; the others are emptied.
KEPT_IN_CODE_ALONG = frozenset({"keep", "start"})

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
