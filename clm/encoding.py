"""Text at clm's edges: decks and specs read as their authors saved them (UTF-8, or a
message that says where it is not), and what clm prints written to any console.

A deck title with an emoji or an arrow, printed to a console or a pipe whose
encoding cannot hold it (Windows writes redirected output as cp1252), raised
UnicodeEncodeError in the middle of a build. Every entry point (the ``clm``
command, a course's dodo.py and clm's doit reporter, every worker process)
calls ``tolerate_any_text`` first.

Such a stream keeps its encoding: UTF-8 forced on a console that shows cp1252
would print mojibake for every umlaut it could have shown. Only the characters
it lacks become escapes, ``\\U0001f680`` for 🚀: "backslashreplace", the handler
Python itself gives stderr, rather than "replace", because an escape still says
which character it was, and two titles that differ only there still print apart.
"""

from __future__ import annotations

import codecs
import sys
from pathlib import Path
from typing import TextIO

from clm.errors import CourseError

# Error handlers that raise on a character the encoding lacks: surrogateescape
# writes back only the bytes it decoded, and raises on an emoji like strict does.
_RAISING = {"strict", "surrogateescape"}


def decode_utf8(data: bytes, path: Path | str, what: str) -> str:
    """``data`` decoded as UTF-8, with newlines as text mode reads them.

    A file that is not UTF-8 is a CourseError naming the line and column of the
    first bad byte: files written by other tools are often Latin-1 or Windows-1252.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise CourseError(
            f"the {what} is not UTF-8: byte 0x{data[exc.start]:02x} in column {column} cannot "
            "be decoded (perhaps the file was saved as Latin-1 or Windows-1252); save it as "
            "UTF-8 (in most editors: Save with Encoding → UTF-8)",
            path,
            line,
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_deck(deck: Path | str, root: Path = Path(".")) -> str:
    """The text of a deck (``deck`` relative to ``root``), as the author saved it;
    a CourseError naming the line of the first byte that is not UTF-8."""
    return decode_utf8((root / deck).read_bytes(), deck, "deck")


def tolerate_any_text(*streams: TextIO) -> None:
    """Make ``streams`` (default: sys.stdout and sys.stderr) write a character their
    encoding lacks as a backslash escape; a stream that can encode everything (UTF-8),
    or whose handler the user chose (PYTHONIOENCODING=cp1252:replace), stays as it is."""
    for stream in streams or (sys.stdout, sys.stderr):
        if can_raise_on_text(stream):
            stream.reconfigure(errors="backslashreplace")


def can_raise_on_text(stream: TextIO | None) -> bool:
    """Whether writing some character to ``stream`` raises UnicodeEncodeError (a stream
    clm cannot reconfigure, such as a StringIO, is left alone: it takes any text)."""
    encoding = getattr(stream, "encoding", None)
    if encoding is None or not hasattr(stream, "reconfigure"):
        return False
    try:
        every_character = codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        return False  # no such codec: the stream could write nothing at all
    return not every_character and getattr(stream, "errors", "strict") in _RAISING
