"""Cells and what their tags mean: the kind rules of clm.plan.variants applied to a deck."""

from __future__ import annotations

from dataclasses import dataclass, replace

from clm.plan.tags import TAGS
from clm.plan.variants import KEPT_IN_CODE_ALONG, RULES, Kind, KindRules

ANSWER_STUBS = {"de": "*Antwort:*", "en": "*Answer:*"}

SLIDE_TYPES = tuple(tag.name for tag in TAGS if tag.slide_type)  # a tag names its slide type
WORKSHOP_ID_PREFIX = "workshop-"


@dataclass(frozen=True)
class Cell:
    cell_type: str  # "code", "markdown" or "raw"
    source: str
    tags: tuple[str, ...] = ()
    lang: str | None = None
    line: int = 1  # where the cell starts in the author's file
    slide_id: str | None = None
    for_slide: str | None = None  # a voiceover companion's cell: the slide it narrates
    index: int = 0  # its place among the deck's cells, the same in every kind
    outputs_hidden: bool = False  # a workshop's code in partial: shown without outputs

    def has(self, tag: str) -> bool:
        return tag in self.tags


def answer_stub(lang: str) -> str:
    return ANSWER_STUBS.get(lang, ANSWER_STUBS["en"])


def opens_workshop(cell: Cell) -> bool:
    """A markdown cell tagged ``workshop``, or a slide whose ``slide_id`` says workshop."""
    if cell.cell_type != "markdown":
        return False
    if cell.has("workshop"):
        return True
    slide_id = (cell.slide_id or "").lstrip("!")
    return slide_id.startswith(WORKSHOP_ID_PREFIX) and (cell.has("slide") or cell.has("subslide"))


def in_workshops(cells: list[Cell]) -> list[bool]:
    """For each cell, whether it lies in a workshop range.

    A range opens at its opener and closes, exclusively, at the next cell
    tagged ``end-workshop``, the next opener (which opens the next range) or
    the end of the deck.
    """
    inside = False
    found = []
    for cell in cells:
        if opens_workshop(cell):
            inside = True
        elif cell.has("end-workshop"):
            inside = False
        found.append(inside)
    return found


def cells_for(cells: list[Cell], lang: str, kind: Kind) -> list[Cell]:
    """The cells one audience sees in one language, in order."""
    mine = [cell for cell in cells if cell.lang is None or cell.lang == lang]
    rules = RULES[kind]
    if not rules.workshops:
        return [shown for cell in mine if (shown := _shown(cell, lang, rules)) is not None]
    # Partial: the workshop ranges as code-along shows them, the rest as completed.
    code_along, completed = RULES[Kind.CODE_ALONG], RULES[Kind.COMPLETED]
    result = []
    for cell, inside in zip(mine, in_workshops(mine), strict=True):
        shown = _shown(cell, lang, code_along if inside else completed)
        if shown is not None:
            if inside and shown.cell_type == "code":
                shown = replace(shown, outputs_hidden=True)
            result.append(shown)
    return result


def _shown(cell: Cell, lang: str, rules: KindRules) -> Cell | None:
    """The cell as a kind with ``rules`` shows it, or None when it drops it."""
    if any(tag in rules.removed for tag in cell.tags):
        return None
    if cell.cell_type == "markdown" and cell.has("answer"):
        stub = answer_stub(lang)
        body = cell.source.strip()
        source = stub if rules.answer_stub_only or not body else f"{stub}\n\n{body}"
        return replace(cell, source=source)
    if (
        rules.blanks_code
        and cell.cell_type == "code"
        and not any(tag in KEPT_IN_CODE_ALONG for tag in cell.tags)
    ):
        return replace(cell, source="")
    return cell


def slide_type(cell: Cell) -> str | None:
    return next((tag for tag in SLIDE_TYPES if cell.has(tag)), None)
