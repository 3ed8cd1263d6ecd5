"""Text reduced to words, so a deck's cell and a built file can be compared.

The same sentence looks different in each place: markdown in the deck, HTML
with tags and escapes after nbconvert, JSON-escaped strings in a notebook,
highlighted spans in code. What survives all of them is the sequence of its
words: letters and digits, lower-cased, with everything between them ignored.
Markup is dropped the same way on both sides, so what is compared agrees.
"""

from __future__ import annotations

import hashlib
import html
import json
import re

# A snippet is this many consecutive words: long enough that a public page does
# not contain it by chance, short enough that a leaked sentence is caught.
SNIPPET_WORDS = 6

_WORD = re.compile(r"[^\W_]+")
# Elements of a page that hold no course text. A regular expression over the
# 250 kB of styles nbconvert embeds costs 10 ms a page; str.find a fraction of that.
_NO_TEXT_ELEMENTS = ("style", "script")
# Tags that end a block of text; other tags (highlighting spans, <code>, <em>) sit
# inside a word's run and vanish without a trace.
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|li|ul|ol|h[1-6]|pre|blockquote|table|tr|td|th|hr|img)\b[^<>]*>", re.I
)
_TAG = re.compile(r"<[A-Za-z/!][^<>]*>")
# A markdown link's target is not text of the page: [words](target) shows "words".
_LINK_TARGET = re.compile(r"\]\([^()\s]*(?:\s+\"[^\"]*\")?\)")
_TEXT_SUFFIXES = frozenset({".html", ".htm", ".svg", ".xml"})


def words(text: str) -> list[str]:
    """The words of markdown, HTML or code, as they read: markup and escapes dropped."""
    text = _LINK_TARGET.sub("]", text)
    text = _BLOCK_TAG.sub(" ", text)
    text = html.unescape(_TAG.sub("", text))
    return _WORD.findall(text)


def snippet_key(run: list[str]) -> int:
    """A run of words as a signed 64-bit number: a course's snippets stay small in the state."""
    text = " ".join(word.casefold() for word in run)
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _runs(found: list[str]) -> range:
    return range(len(found) - SNIPPET_WORDS + 1)


def snippets(text: str) -> list[tuple[int, str]]:
    """Every run of SNIPPET_WORDS words of ``text``: (key to compare, the words as written)."""
    found = words(text)
    return [
        (snippet_key(found[i : i + SNIPPET_WORDS]), " ".join(found[i : i + SNIPPET_WORDS]))
        for i in _runs(found)
    ]


def file_text(name: str, data: bytes) -> str | None:
    """The readable text of a built file, or None for a binary file (an image, say)."""
    if b"\0" in data[:8192]:
        return None
    text = data.decode("utf-8", errors="replace")
    if name.endswith(".ipynb"):
        try:
            return "\n".join(_strings(json.loads(text)))
        except ValueError:
            return text
    if name[name.rfind(".") :].lower() in _TEXT_SUFFIXES:
        for element in _NO_TEXT_ELEMENTS:
            text = _without_element(text, element)
    return text


def _without_element(text: str, name: str) -> str:
    opening, closing = f"<{name}", f"</{name}>"
    parts = []
    start = 0
    while (begin := text.find(opening, start)) != -1:
        end = text.find(closing, begin)
        if end == -1:
            break
        if text[begin + len(opening) : begin + len(opening) + 1] not in (">", " ", "\n", "\t"):
            parts.append(text[start : begin + 1])
            start = begin + 1
            continue
        parts.append(text[start:begin])
        parts.append(" ")
        start = end + len(closing)
    parts.append(text[start:])
    return "".join(parts)


def _strings(value) -> list[str]:
    """Every string in a JSON document (a notebook's sources, outputs, metadata)."""
    found: list[str] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            pending.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            pending.extend(reversed(item))
    return found


def file_keys(name: str, data: bytes) -> set[int]:
    """The snippet keys of a built file (empty for a binary one)."""
    text = file_text(name, data)
    if text is None:
        return set()
    found = words(text)
    return {snippet_key(found[i : i + SNIPPET_WORDS]) for i in _runs(found)}
