"""The percent-format source of a deck, read before Jinja: cell headers and tags.

Line numbers here are the author's, so messages can point at them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from clm.errors import CourseError
from clm.languages import Language, of_deck
from clm.plan.tags import TAGS_BY_NAME

_CELL_TYPE = re.compile(r"\s*\[(markdown|md|raw)\]")
_KEY = re.compile(r"\s*([A-Za-z_][\w-]*)=")
LINE_KEY = "clm_line"


@dataclass(frozen=True)
class CellHeader:
    cell_type: str  # "code", "markdown" or "raw"
    metadata: dict


def cell_start(line: str, language: Language) -> tuple[str | None, str] | None:
    """(cell type if the marker gives it, the rest) for a line that starts a cell, else None."""
    return language.cells.header(line)


def parse_cell_header(rest: str, cell_type: str | None = None) -> CellHeader:
    """Parse what follows ``# %%`` (or a Markdown deck's fence or region marker, whose
    ``cell_type`` the marker itself gives); raises ValueError naming what was expected."""
    position = 0
    if cell_type is None:
        cell_type = "code"
        if match := _CELL_TYPE.match(rest):
            cell_type = "raw" if match.group(1) == "raw" else "markdown"
            position = match.end()
    metadata: dict = {}
    decoder = json.JSONDecoder()
    while rest[position:].strip():
        key = _KEY.match(rest, position)
        if key is None:
            found = rest[position:].strip()
            raise ValueError(
                f'expected key=value pairs such as lang="de" tags=["slide"], found \'{found}\''
            )
        try:
            value, position = decoder.raw_decode(rest, key.end())
        except json.JSONDecodeError:
            raise ValueError(
                f"the value of '{key.group(1)}' is not valid: write strings in double quotes "
                'and lists like ["slide", "notes"]'
            ) from None
        metadata[key.group(1)] = value
    if "lang" in metadata and not isinstance(metadata["lang"], str):
        raise ValueError('lang must be a string such as lang="de"')
    tags = metadata.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ValueError('tags must be a list of strings such as tags=["slide"]')
    return CellHeader(cell_type, metadata)


def check_source(text: str, deck: Path, languages: tuple[str, ...] = ()) -> list[str]:
    """Check every cell header of a deck; returns warnings, raises on a malformed header.

    With the course's ``languages``, a cell whose ``lang`` is none of them is a
    warning: it would silently be in no output.
    """
    language = of_deck(deck)
    warnings = []
    for number, line in enumerate(text.splitlines(), start=1):
        start = cell_start(line, language)
        if start is None:
            continue
        try:
            header = parse_cell_header(start[1], start[0])
        except ValueError as exc:
            raise CourseError(f"malformed cell header: {exc}", deck, number) from None
        where = CourseError("", deck, number)
        lang = header.metadata.get("lang")
        if languages and lang is not None and lang not in languages:
            warnings.append(f"{where}warning: {_foreign_language(lang, languages)}")
        for tag in header.metadata.get("tags", []):
            known = TAGS_BY_NAME.get(tag)
            if known is None:
                warnings.append(
                    f"{where}warning: unknown tag '{tag}' (known: {', '.join(sorted(TAGS_BY_NAME))})"
                )
            elif known.on is not None and header.cell_type != known.on:
                warnings.append(f"{where}warning: tag '{tag}' belongs on a {known.on} cell")
    return warnings


def _foreign_language(lang: str, languages: tuple[str, ...]) -> str:
    course = ", ".join(languages)
    problem = f'lang="{lang}" is not a language of the course ({course}): the cell is in no output'
    for known in languages:
        if lang.strip().casefold() == known.casefold():
            return f'{problem}; write lang="{known}"'
    return f"{problem}; fix the value or add '{lang}' to the spec's languages"


def mark_cell_lines(text: str, language: Language) -> str:
    """Add the author's line number to every cell header, to survive Jinja."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if language.cells.header(line) is not None:
            lines[index] = language.cells.mark(line, LINE_KEY, index + 1)
    return "\n".join(lines)
