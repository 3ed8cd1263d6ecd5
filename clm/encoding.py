"""Decks and specs as their authors saved them: UTF-8, or a message that says where it is not."""

from __future__ import annotations

from pathlib import Path

from clm.errors import CourseError


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
