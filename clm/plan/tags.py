"""Every cell tag clm knows, in one table: where it may stand, which kinds drop its cell,
what it protects from the leak guard.

Read by the deck's checks (clm.deck.source: unknown or misplaced tags), the
kind rules (clm.plan.variants: which cells each kind drops, which code
code-along keeps), the notebooks clm writes (clm.deck.notebook, clm.deck.kinds),
the execution key (clm.execute.keys) and the leak guard (clm.leaks.snippets).

The table lives in plan/, below deck/, execute/ and leaks/, so that each of
them and the kind rules beside it may read it (tests/test_layers.py).

The two columns the leak guard trusts (``protects``, ``keeps_code``) are
separate from the one the removal follows (``dropped_by``) on purpose: the
guard derives its sets from this table, never from the kind rules it checks,
so a mistake in a kind's removal shows up as a leak instead of being copied.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from clm.plan.kinds import Kind

CODE, MARKDOWN = "code", "markdown"


class Protection(Enum):
    """Which outputs a tagged cell's text must never reach (the leak guard's rule)."""

    NEVER_PUBLIC = "no student output"
    NOT_IN_CODE_ALONG = "no code-along output"


@dataclass(frozen=True)
class Tag:
    name: str
    on: str | None = None  # the cell type it belongs on (None: any)
    dropped_by: frozenset[Kind] = frozenset()  # the kinds whose outputs drop its cell
    protects: Protection | None = None  # what the leak guard keeps its text out of
    keeps_code: bool = False  # a code cell with it keeps its code in code-along
    slide_type: bool = False  # it is the cell's slide type in a notebook (the same name)
    in_metadata: bool = True  # written into the tags of the notebooks' cells


_ALL = frozenset(Kind)
_STUDENTS = frozenset({Kind.CODE_ALONG, Kind.COMPLETED, Kind.PARTIAL})
_CODE_ALONG = frozenset({Kind.CODE_ALONG})
NEVER_PUBLIC, NOT_IN_CODE_ALONG = Protection.NEVER_PUBLIC, Protection.NOT_IN_CODE_ALONG
ALLOWS_ERROR = "raises-exception"  # nbclient's own: the cell's error does not stop the run

# In this order: a cell's slide type is its first slide tag, and a leak names the
# first protecting tag of its cell.
TAGS = (
    Tag("slide", slide_type=True),
    Tag("subslide", slide_type=True),
    Tag("private", dropped_by=_STUDENTS, protects=NEVER_PUBLIC),
    # Dropped everywhere, so never seen in a notebook's tags.
    Tag("del", dropped_by=_ALL, protects=NEVER_PUBLIC, in_metadata=False),
    # Speaker notes, for trainers; the voiceover narration, for recording only.
    Tag("notes", MARKDOWN, dropped_by=_STUDENTS, protects=NEVER_PUBLIC, slide_type=True),
    Tag(
        "voiceover",
        MARKDOWN,
        dropped_by=_STUDENTS | {Kind.TRAINER},
        protects=NEVER_PUBLIC,
        slide_type=True,
    ),
    Tag("alt", dropped_by=_CODE_ALONG, protects=NOT_IN_CODE_ALONG),
    Tag("completed", CODE, dropped_by=_CODE_ALONG, protects=NOT_IN_CODE_ALONG),
    # Kept in code-along, whose kind rule shows its stub in place of the answer.
    Tag("answer", MARKDOWN, protects=NOT_IN_CODE_ALONG),
    Tag("keep", CODE, keeps_code=True),
    # Code-along's starting point: the code the other kinds replace with their own.
    Tag("start", CODE, dropped_by=_ALL - _CODE_ALONG, keeps_code=True),
    Tag(ALLOWS_ERROR, CODE),
    Tag("workshop", MARKDOWN),
    Tag("end-workshop"),
)
TAGS_BY_NAME = {tag.name: tag for tag in TAGS}


def dropped_by(kind: Kind) -> frozenset[str]:
    """The tags whose cells ``kind`` drops."""
    return frozenset(tag.name for tag in TAGS if kind in tag.dropped_by)


def protecting(protection: Protection) -> tuple[str, ...]:
    """The tags that protect their cell's text so, in the table's order."""
    return tuple(tag.name for tag in TAGS if tag.protects is protection)
