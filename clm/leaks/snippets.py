"""Which text of a course must never reach a public output, and where it was written.

A cell is *protected* by its tags alone, never by what the kind rules did with
it (the guard exists to catch their mistakes): ``private``, ``notes``,
``voiceover`` and ``del`` text belongs in no student output, ``alt``,
``completed`` and ``answer`` text in no code-along output. Every cell of a
deck's voiceover companion is narration, protected like ``voiceover``. A snippet of a protected cell is forbidden only when no
unprotected cell of the course has it too: the same sentence in a public cell,
or in the other language's public twin, is not a leak.

Protected text is read after the Jinja pre-pass, in every language and format,
so a private cell that includes a template is covered. Unprotected text is the
author's own, before Jinja: a public cell that pulls private text in through a
template or an include does not make that text public.
"""

from __future__ import annotations

import json
import sys
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from clm.deck.jinja import render_variant
from clm.deck.prepass import Prepass
from clm.deck.source import LINE_KEY, cell_start, parse_cell_header
from clm.languages import Language
from clm.leaks.words import snippets
from clm.plan.tags import TAGS, Protection, protecting
from clm.plan.variants import Format

# Derived from the tag table, never from the kind rules the guard checks (see
# clm.plan.tags). In the order a message names them when a cell has several.
NEVER_PUBLIC = protecting(Protection.NEVER_PUBLIC)
NOT_IN_CODE_ALONG = protecting(Protection.NOT_IN_CODE_ALONG)
KEPT_CODE = frozenset(tag.name for tag in TAGS if tag.keeps_code)
NARRATION = ("voiceover", "notes")  # what a voiceover companion brings


@dataclass(frozen=True)
class Origin:
    """The protected cell a snippet comes from."""

    deck: str
    line: int
    tag: str
    words: str  # the snippet as the author wrote it
    position: int = 0  # where in the cell it starts, in words

    @property
    def never_public(self) -> bool:
        return self.tag in NEVER_PUBLIC


@dataclass
class DeckSnippets:
    """One deck's protected snippets and the snippets its unprotected cells show."""

    protected: dict[int, Origin] = field(default_factory=dict)
    public: set[int] = field(default_factory=set)  # in some public cell
    code_along: set[int] = field(default_factory=set)  # in a cell code-along shows

    def to_row(self) -> tuple[str, bytes, bytes]:
        """For the state: the protected cells as JSON, the rest as packed numbers."""
        return _origins_json(self.protected), _pack(self.public), _pack(self.code_along)

    @classmethod
    def from_row(cls, protected: str, public: bytes, code_along: bytes) -> DeckSnippets:
        return cls(_origins(protected), _unpack(public), _unpack(code_along))


def _origins_json(origins: dict[int, Origin]) -> str:
    return json.dumps(
        [[key, o.deck, o.line, o.tag, o.words, o.position] for key, o in origins.items()]
    )


def _origins(text: str) -> dict[int, Origin]:
    return {key: Origin(*origin) for key, *origin in json.loads(text)}


def _pack(keys: set[int]) -> bytes:
    packed = array("q", sorted(keys))
    if sys.byteorder == "big":  # the state travels between machines
        packed.byteswap()
    return packed.tobytes()


def _unpack(data: bytes) -> set[int]:
    packed = array("q")
    packed.frombytes(data)
    if sys.byteorder == "big":
        packed.byteswap()
    return set(packed)


@dataclass(frozen=True)
class _SourceCell:
    cell_type: str
    tags: frozenset[str]
    line: int
    text: str


def source_cells(text: str, language: Language) -> list[_SourceCell]:
    """The cells of a deck's text, split at the headers of its language (``# %%``).

    Lines before the first header count as an untagged code cell, as in jupytext.
    After Jinja, a header carries the author's line (``clm_line``); one that a
    template wrote has none and keeps the line of the cell that called it.
    """
    cells: list[_SourceCell] = []
    cell_type, tags, line, body = "code", frozenset(), 1, []
    marked = False
    for number, row in enumerate(text.split("\n"), start=1):
        header = cell_start(row, language)
        if header is None:
            body.append(row)
            continue
        cells.append(_SourceCell(cell_type, tags, line, "\n".join(body)))
        try:
            parsed = parse_cell_header(header[1], header[0])
            cell_type, metadata = parsed.cell_type, parsed.metadata
        except ValueError:  # already reported, before the build began
            cell_type, metadata = "code", {}
        tags = frozenset(metadata.get("tags", ()))
        if LINE_KEY in metadata:
            line, marked = int(metadata[LINE_KEY]), True
        elif not marked:
            line = number
        body = []
    cells.append(_SourceCell(cell_type, tags, line, "\n".join(body)))
    return cells


def _protecting_tag(cell: _SourceCell) -> str | None:
    return next((tag for tag in (*NEVER_PUBLIC, *NOT_IN_CODE_ALONG) if tag in cell.tags), None)


def deck_snippets(
    prepass: Prepass,
    text: str,
    deck: str,
    languages: tuple[str, ...],
    companion: str | None = None,
) -> DeckSnippets:
    """The snippets of one deck (its author's text and what Jinja makes of it, and the
    narration of its voiceover companion)."""
    found = DeckSnippets()
    language = prepass.language_of(deck)
    if companion is not None:
        for cell in source_cells(Path(companion).read_text(encoding="utf-8"), language):
            tag = next((tag for tag in NARRATION if tag in cell.tags), None)
            if tag is None:
                continue
            for position, (key, written) in enumerate(snippets(cell.text, hidden=True)):
                found.protected.setdefault(
                    key, Origin(companion, cell.line, tag, written, position)
                )
    for cell in source_cells(text, language):
        if _protecting_tag(cell) is not None:
            continue
        keys = {key for key, _ in snippets(cell.text)}
        found.public |= keys
        if cell.cell_type != "code" or cell.tags & KEPT_CODE:
            found.code_along |= keys
    for lang in languages:
        for fmt in Format:
            rendered = render_variant(prepass, text, Path(deck), lang, fmt.value)
            for cell in source_cells(rendered, language):
                tag = _protecting_tag(cell)
                if tag is None:
                    continue
                for position, (key, written) in enumerate(snippets(cell.text, hidden=True)):
                    known = found.protected.get(key)
                    # Text that is also private outranks the same text in an alt cell.
                    if known is None or (tag in NEVER_PUBLIC and not known.never_public):
                        found.protected[key] = Origin(deck, cell.line, tag, written, position)
    return found


@dataclass(frozen=True)
class ForbiddenText:
    """The snippets no public output may contain, and those no code-along output may."""

    public: dict[int, Origin]
    code_along: dict[int, Origin]

    def to_json(self) -> str:
        return json.dumps([_origins_json(self.public), _origins_json(self.code_along)])

    @classmethod
    def from_json(cls, text: str) -> ForbiddenText:
        public, code_along = json.loads(text)
        return cls(_origins(public), _origins(code_along))

    def leaks(self, keys: set[int], code_along: bool) -> list[Origin]:
        """The protected cells whose text a file with these snippet keys shows, in deck order."""
        forbidden = self.code_along if code_along else self.public
        hits = {forbidden[key] for key in keys & forbidden.keys()}
        first: dict[tuple[str, int], Origin] = {}
        for origin in sorted(hits, key=lambda o: (o.deck, o.line, o.position)):
            first.setdefault((origin.deck, origin.line), origin)
        return list(first.values())


def forbidden_text(decks: list[DeckSnippets]) -> ForbiddenText:
    """The course-wide rule: protected text counts only where no unprotected cell has it."""
    public: set[int] = set()
    code_along: set[int] = set()
    for deck in decks:
        public |= deck.public
        code_along |= deck.code_along
    never_public: dict[int, Origin] = {}
    not_in_code_along: dict[int, Origin] = {}
    for deck in decks:
        for key, origin in deck.protected.items():
            if origin.never_public and key not in public:
                never_public.setdefault(key, origin)
            if key not in code_along:
                not_in_code_along.setdefault(key, origin)
    return ForbiddenText(never_public, not_in_code_along)
