"""Voiceover companions: narration kept in a file beside the deck, joined to its slides.

CLM 1.35 lets authors move a deck's ``voiceover`` (and ``notes``) cells into a
companion, ``voiceover_<name>.<ext>`` beside the deck or in a ``voiceover/``
folder. Each companion cell names the slide it narrates with
``for_slide="<slide_id>"`` and joins the deck at the end of that slide's group.
The companion is never copied into an output; the kind rules decide which
audience sees its cells, like any other cell's (clm.plan.variants).
"""

from __future__ import annotations

from clm.deck.kinds import Cell

# Companion cells that bring narration; any other cell of a companion is not joined.
NARRATION_TAGS = frozenset({"voiceover", "notes"})


def _bare(slide_id: str | None) -> str | None:
    return slide_id.lstrip("!") if slide_id else None


def merge_narration(
    cells: list[Cell], narration: list[Cell], lang: str
) -> tuple[list[Cell], list[Cell]]:
    """The cells of one language with the companion's narration joined to its slides.

    A companion cell goes after the last cell of its slide's group: the group
    starts at the slide (or subslide) whose ``slide_id`` it names and ends
    before the next ``slide`` or ``subslide`` (as in CLM 1.35). Returns the
    merged cells and the companion cells whose slide the deck does not have
    (they are in no output).
    """
    mine = [cell for cell in cells if cell.lang is None or cell.lang == lang]
    ends: dict[str, int] = {}  # slide id → index after its group's last cell
    current: str | None = None
    for position, cell in enumerate(mine):
        if cell.has("slide") or cell.has("subslide"):
            # The title slide of the header macro has no id: CLM calls it "title".
            current = _bare(cell.slide_id) or (None if "title" in ends else "title")
        if current is not None:
            ends[current] = position + 1
    joined: dict[int, list[Cell]] = {}
    unmatched = []
    for cell in narration:
        if cell.lang not in (None, lang) or not NARRATION_TAGS.intersection(cell.tags):
            continue
        end = ends.get(_bare(cell.for_slide) or "")
        if end is None:
            unmatched.append(cell)
        else:
            joined.setdefault(end, []).append(cell)
    if not joined:
        return mine, unmatched
    merged = []
    for position, cell in enumerate(mine):
        merged.append(cell)
        merged.extend(joined.get(position + 1, ()))
    return merged, unmatched
