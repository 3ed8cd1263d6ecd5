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
LINE_KEY = "clm_line"
_STRING = r'"(?:[^"\\\n]|\\.)*"'
_VALUE = rf"(?:{_STRING}|\[\s*(?:{_STRING}\s*(?:,\s*{_STRING}\s*)*)?\]|\d+)"
_PAIR = re.compile(rf"([A-Za-z_]\w*)=({_VALUE})")
# Only key=value pairs of those values, apart by blanks: what most headers are.
_PLAIN = re.compile(rf"\s*(?:[A-Za-z_]\w*={_VALUE}(?:\s+[A-Za-z_]\w*={_VALUE})*)?\s*\Z")
_MISREAD = "incorrectly_encoded_metadata"  # jupytext's key for a header it could not read


@dataclass(frozen=True)
class CellHeader:
    cell_type: str  # "code", "markdown" or "raw"
    metadata: dict
    title: str = ""  # words jupytext takes for the cell's title (`# %% Setup`)


def cell_start(line: str, language: Language) -> tuple[str | None, str] | None:
    """(cell type if the marker gives it, the rest) for a line that starts a cell, else None."""
    return language.cells.header(line)


def parse_cell_header(rest: str, cell_type: str | None = None) -> CellHeader:
    """Read what follows ``# %%`` (or a Markdown deck's fence or region marker, whose
    ``cell_type`` the marker itself gives) as jupytext reads it; raises ValueError,
    naming the fix, where jupytext would misread it (the cell would lose its tags or
    its language without a word).
    """
    if cell_type is None:
        cell_type = "code"
        if match := _CELL_TYPE.match(rest):
            cell_type = "raw" if match.group(1) == "raw" else "markdown"
            rest = rest[match.end() :]
    if _PLAIN.match(rest):
        # The usual header (quoted strings, lists of them, numbers): read as jupytext reads
        # it, without loading jupytext (a check of a whole course reads thousands).
        title, metadata = "", {key: json.loads(value) for key, value in _PAIR.findall(rest)}
    else:
        title, metadata = _read_by_jupytext(rest.strip())
    misread = metadata.pop(_MISREAD, None)
    if misread is not None:
        raise ValueError(_misread(misread))
    # jupytext keeps words after the pairs as keys without a value (in reverse order).
    words = sorted((key for key, value in metadata.items() if value is None), key=rest.find)
    if words:
        raise ValueError(
            f"'{' '.join(words)}' after the key=value pairs is neither a pair nor a title; "
            'remove it, or write it as a tag: tags=["…"]'
        )
    if "lang" in metadata and not isinstance(metadata["lang"], str):
        raise ValueError('lang must be a string such as lang="de"')
    tags = metadata.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ValueError('tags must be a list of strings such as tags=["slide"]')
    return CellHeader(cell_type, metadata, title)


def _read_by_jupytext(text: str) -> tuple[str, dict]:
    from jupytext.cell_metadata import text_to_metadata

    try:
        return text_to_metadata(text, allow_title=True)
    except Exception as error:  # jupytext's parser fails on some values (tags=[1])
        raise ValueError(f"jupytext cannot read '{text}' ({error})") from None


def _misread(text: str) -> str:
    """What is wrong with ``text``, which jupytext keeps as "incorrectly encoded metadata"."""
    opened, closed = text.count("["), text.count("]")
    if opened > closed:
        problem = "a '[' is not closed"
    elif closed > opened:
        problem = "a ']' has no '['"
    elif re.search(r"[\[,]\s*[A-Za-z_][\w-]*\s*[\],]", text):
        problem = "a tag is not in quotes"
    elif re.search(r"=\s*[A-Za-z_]", text):
        problem = "a value is not in quotes"
    else:
        problem = "it is not a list of key=value pairs"
    return (
        f"jupytext cannot read '{text}' ({problem}), and the cell would lose its tags "
        'and its language; write it like tags=["slide", "notes"] lang="de"'
    )


def check_source(
    text: str, deck: Path, languages: tuple[str, ...] = (), language: Language | None = None
) -> list[str]:
    """Check every cell header of a deck; returns warnings, raises on a malformed header.

    With the course's ``languages``, a cell whose ``lang`` is none of them is a
    warning: it would silently be in no output. ``language`` is the deck's, when its
    suffix does not say it (a Markdown deck).
    """
    language = language or of_deck(deck)
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
        named = [word for word in header.title.split() if word in TAGS_BY_NAME]
        if named:
            warnings.append(
                f"{where}warning: jupytext reads '{header.title}' as the cell's title, not "
                f"as tags; write tags={json.dumps(named)}"
            )
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
