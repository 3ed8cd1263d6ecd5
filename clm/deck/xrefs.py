"""``[text](clm:topic)`` cross-references in a deck's Markdown, as CLM 1.35 writes them.

A reference names a topic by its id (``clm:loops``), optionally one of its decks
(``clm:loops/slides_while``) and an anchor (``clm:loops#while``), which CLM
accepts and ignores, as clm does: the link goes to the target's page. Only the
href of a Markdown link is a reference; the link text is never touched. The
build rewrites each href per output (clm.plan.xrefs): this module finds the
references in a deck's source, with their lines, and rewrites a cell's Markdown
once the hrefs are known.
"""

from __future__ import annotations

import re

from clm.languages import Language
from clm.plan.xrefs import Reference

SCHEME = "clm:"
# CLM's pattern: the href of a [text](clm:…) link, its text in between.
_LINK = re.compile(r"\[(?P<text>[^\]]*)\]\(\s*clm:\s*(?P<ref>[^)\s]+)\s*\)")
_MARKDOWN = re.compile(r"\s*\[(?:markdown|md)\]")


def has_references(text: str) -> bool:
    """The cheap test every deck takes: only a deck naming the scheme is read further."""
    return SCHEME in text and _LINK.search(text) is not None


def deck_references(text: str, language: Language) -> tuple[Reference, ...]:
    """The references in a deck's Markdown cells, in order, each with its line."""
    if not has_references(text):
        return ()
    starts = _line_starts(text)
    markdown = _markdown_lines(text, language)
    found = []
    for match in _LINK.finditer(text):
        line = _line_of(starts, match.start())
        if markdown[line - 1]:
            found.append(Reference(match.group("ref"), line))
    return tuple(found)


def _line_starts(text: str) -> list[int]:
    return [0, *(newline.end() for newline in re.finditer("\n", text))]


def _line_of(starts: list[int], offset: int) -> int:
    from bisect import bisect_right

    return bisect_right(starts, offset)


def _markdown_lines(text: str, language: Language) -> list[bool]:
    """For each line of a deck, whether it is in a Markdown cell.

    A percent deck's cell is Markdown when its header says ``[markdown]``; a
    Markdown deck's text is Markdown outside its fenced code blocks.
    """
    cells = language.cells
    percent = cells.style == "percent"
    in_markdown = not percent
    in_fence = False
    kinds = []
    for line in text.split("\n"):
        start = cells.header(line)
        if percent:
            if start is not None:
                in_markdown = _MARKDOWN.match(start[1]) is not None
            kinds.append(in_markdown and start is None)
            continue
        if start is not None and start[0] == "code":
            in_fence = True
            kinds.append(False)
        elif in_fence:
            in_fence = not line.startswith("```")
            kinds.append(False)
        else:
            kinds.append(True)
    return kinds


def rewrite(markdown: str, hrefs: dict[str, str]) -> str:
    """``markdown`` with each reference in ``hrefs`` rewritten: to its href, or to the link's
    text alone where the href is empty (a code output, a target not built). A reference
    ``hrefs`` does not know stays as it is."""
    if SCHEME not in markdown:
        return markdown

    def replaced(match: re.Match[str]) -> str:
        href = hrefs.get(match.group("ref"))
        if href is None:
            return match.group(0)
        return f"[{match.group('text')}]({href})" if href else match.group("text")

    return _LINK.sub(replaced, markdown)
