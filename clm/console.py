"""What clm prints reaches any console: a character its encoding lacks is written as an
escape, never a crash.

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
from typing import TextIO

# Error handlers that raise on a character the encoding lacks: surrogateescape
# writes back only the bytes it decoded, and raises on an emoji like strict does.
_RAISING = {"strict", "surrogateescape"}


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
