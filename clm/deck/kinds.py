"""Cells and what their tags mean: the kind rules of clm.plan.variants applied to a deck."""

from __future__ import annotations

from dataclasses import dataclass, replace

from clm.plan.variants import KEPT_IN_CODE_ALONG, REMOVED, Kind

ANSWER_STUBS = {"de": "*Antwort:*", "en": "*Answer:*"}

SLIDE_TYPES = (("slide", "slide"), ("subslide", "subslide"), ("notes", "notes"))


@dataclass(frozen=True)
class Cell:
    cell_type: str  # "code", "markdown" or "raw"
    source: str
    tags: tuple[str, ...] = ()
    lang: str | None = None
    line: int = 1  # where the cell starts in the author's file

    def has(self, tag: str) -> bool:
        return tag in self.tags


def answer_stub(lang: str) -> str:
    return ANSWER_STUBS.get(lang, ANSWER_STUBS["en"])


def cells_for(cells: list[Cell], lang: str, kind: Kind) -> list[Cell]:
    """The cells one audience sees in one language, in order."""
    removed = REMOVED[kind]
    result = []
    for cell in cells:
        if cell.lang is not None and cell.lang != lang:
            continue
        if any(tag in removed for tag in cell.tags):
            continue
        if cell.cell_type == "markdown" and cell.has("answer"):
            stub = answer_stub(lang)
            body = cell.source.strip()
            source = stub if kind is Kind.CODE_ALONG or not body else f"{stub}\n\n{body}"
            cell = replace(cell, source=source)
        elif (
            kind is Kind.CODE_ALONG
            and cell.cell_type == "code"
            and not any(tag in KEPT_IN_CODE_ALONG for tag in cell.tags)
        ):
            cell = replace(cell, source="")
        result.append(cell)
    return result


def slide_type(cell: Cell) -> str | None:
    for tag, slide in SLIDE_TYPES:
        if cell.has(tag):
            return slide
    return None
