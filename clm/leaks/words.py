"""Text reduced to words, so a deck's cell and a built file can be compared.

The same sentence looks different in each place: markdown in the deck, HTML
with tags and escapes after nbconvert, JSON-escaped strings in a notebook,
highlighted spans in code, UTF-16 in a copied file, a PlantUML note drawn as
one SVG ``<text>`` per line. What survives all of them is the sequence of its
words: letters and digits, NFKC-normalised and case-folded, with everything
between them ignored. Markup is dropped the same way on both sides.

A file is read the way its reader can see it, as *segments* (runs of words
never cross from one segment into the next):

- its visible text, cut at the cell boundaries the build's own tools write
  (nbconvert's cell ``<div>``, a notebook's cells, jupytext's ``# %%`` lines),
  without the prompts nbconvert adds (``In [ ]:``), so the last words of one
  cell and the first of the next are never one run;
- each HTML comment, and each attribute value (``alt``, ``title``, ``content``…);
- the text a file carries encoded: a PNG's text chunks (PlantUML puts its source
  there), the PlantUML source an SVG embeds, a draw.io file's compressed diagrams.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import re
import unicodedata
import zlib
from urllib.parse import unquote

# A snippet is this many consecutive words: long enough that a public page does
# not contain it by chance, short enough that a leaked sentence is caught.
SNIPPET_WORDS = 6

_WORD = re.compile(r"[^\W_]+")
# Elements of a page that hold no course text. A regular expression over the
# 250 kB of styles nbconvert embeds costs 10 ms a page; str.find a fraction of that.
_NO_TEXT_ELEMENTS = ("style", "script")
# Tags that may sit inside a word (highlighting spans, emphasis) vanish without a
# trace; every other tag (a paragraph, an SVG <text>, a line break) separates words.
_INLINE_TAGS = "a|abbr|b|bdi|bdo|cite|code|del|dfn|em|i|ins|kbd|mark|q|s|samp|small|span|strong|sub|sup|u|var|tspan"
_SEPARATING_TAG = re.compile(rf"<(?!/?(?:{_INLINE_TAGS})[\s/>])[A-Za-z/!?][^<>]*>")
_INLINE_TAG = re.compile(rf"</?(?:{_INLINE_TAGS})(?:\s[^<>]*)?/?>")
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
# An attribute's value is text a reader of the file sees; class, id and style are
# the template's own names. A value never spans lines, so it cannot join two cells.
_ATTRIBUTE = re.compile(r"""\s(?!(?:class|id|style)=)[\w:.-]+=(?:"([^"<>\n]*)"|'([^'<>\n]*)')""")
# A markdown link's target is not text of the page: [words](target "title") shows
# "words"; its title is a segment of its own.
_LINK_TARGET = re.compile(r"\]\([^()\s]*(?:\s+\"([^\"]*)\")?\)")
_MARKUP_SUFFIXES = frozenset({".html", ".htm", ".svg", ".xml", ".drawio"})
# The markup nbconvert's lab template wraps around each cell, and its prompts.
_HTML_CELL = '<div class="jp-Cell '
_PROMPT = re.compile(r'<div class="jp-(?:Input|Output)Prompt[^"]*">[^<]*</div>')
# jupytext's cell marker in any language's comment: "# %%", "// %%", "-- %%".
_CODE_CELL = re.compile(r"^[ \t]*(?:#|//|--|;+|%)[ \t]*%%.*$", re.M)
# Text a diagram carries encoded: PlantUML's source in an SVG, draw.io's diagrams.
_PLANTUML_SOURCE = re.compile(r"<\?plantuml-src ([0-9A-Za-z_~-]+)\?>")
_PLANTUML_ALPHABET = bytes.maketrans(
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_",
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
)
_COMPRESSED_DIAGRAM = re.compile(r"<diagram\b[^<>]*>\s*([A-Za-z0-9+/=\s]{8,}?)\s*</diagram>")
_INFLATED_LIMIT = 16 << 20  # a diagram's text, at most; more is a bomb, not a drawing
_NESTING = 3  # text inside an attribute inside a compressed diagram inside a file
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_PNG = b"\x89PNG\r\n\x1a\n"


def _words(text: str) -> list[str]:
    """The words of plain text, NFKC-normalised: a decomposed "é" (e and a combining
    accent) would otherwise end a word, and full-width letters are letters."""
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _WORD.findall(text)


def _visible(text: str) -> list[str]:
    """The words of one stretch of markup as it reads: tags and escapes dropped."""
    text = _SEPARATING_TAG.sub(" ", text)
    return _words(html.unescape(_INLINE_TAG.sub("", text)))


def words(text: str) -> list[str]:
    """The words of the visible text of markdown, HTML or code: no comments, no
    attribute values, no link targets."""
    return _visible(_LINK_TARGET.sub("]", _COMMENT.sub(" ", text)))


def segments(
    text: str, cells: str | None = None, comments: bool = True, depth: int = 0
) -> list[list[str]]:
    """The words of ``text`` in every form a reader sees them, one list per segment.

    ``cells`` is how the tool that wrote ``text`` marks its cells: "html" for
    nbconvert's page, "code" for a jupytext script, None for one cell's text.
    Without ``comments``, the text of HTML comments is left out (a deck's public
    cell makes public what its reader is shown, not what its author hid).
    """
    if "<" not in text and "&" not in text and "](" not in text:  # most strings of a notebook
        pieces = _CODE_CELL.split(text) if cells == "code" else [text]
        return [run for piece in pieces if len(run := _words(piece)) >= SNIPPET_WORDS]
    found: list[list[str]] = []
    if depth < _NESTING:
        for hidden in _carried(text):
            found += segments(hidden, None, comments, depth + 1)
        for match in _ATTRIBUTE.finditer(text):
            value = html.unescape(match.group(1) or match.group(2) or "")
            if "<" in value or "&" in value:
                found += segments(value, None, comments, depth + 1)
            else:
                found.append(_words(value))
    if "<!--" in text:
        if comments:
            found += [_visible(comment) for comment in _COMMENT.findall(text)]
        text = _COMMENT.sub(" ", text)
    if "](" in text:
        found += [_words(title) for title in _LINK_TARGET.findall(text) if title]
        text = _LINK_TARGET.sub("]", text)
    if cells == "html":
        pieces = _PROMPT.sub(" ", text).split(_HTML_CELL)
    elif cells == "code":
        pieces = _CODE_CELL.split(text)
    else:
        pieces = [text]
    found += [_visible(piece) for piece in pieces]
    return [segment for segment in found if len(segment) >= SNIPPET_WORDS]


def _carried(text: str) -> list[str]:
    """Text a diagram embeds encoded: PlantUML's source, draw.io's compressed pages."""
    found = []
    if "<?plantuml-src" in text:
        found += filter(None, map(_plantuml_source, _PLANTUML_SOURCE.findall(text)))
    if "<diagram" in text:
        found += filter(None, map(_drawio_page, _COMPRESSED_DIAGRAM.findall(text)))
    return found


def _plantuml_source(encoded: str) -> str | None:
    try:
        if encoded.startswith("~h"):
            return bytes.fromhex(encoded[2:]).decode("utf-8", errors="replace")
        data = encoded.encode("ascii").translate(_PLANTUML_ALPHABET)
        return _inflated(base64.b64decode(data + b"=" * (-len(data) % 4)), raw=True)
    except (ValueError, binascii.Error):
        return None


def _drawio_page(encoded: str) -> str | None:
    try:
        text = _inflated(base64.b64decode("".join(encoded.split())), raw=True)
    except (ValueError, binascii.Error):
        return None
    return unquote(text) if text is not None else None


def _inflated(data: bytes, raw: bool = False) -> str | None:
    try:
        inflater = zlib.decompressobj(-15 if raw else 15)
        return inflater.decompress(data, _INFLATED_LIMIT).decode("utf-8", errors="replace")
    except zlib.error:
        return None


def snippet_key(run: list[str]) -> int:
    """A run of words as a signed 64-bit number: a course's snippets stay small in the state."""
    text = " ".join(run).casefold()
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _runs(found: list[str]) -> range:
    return range(len(found) - SNIPPET_WORDS + 1)


def snippets(text: str, hidden: bool = False) -> list[tuple[int, str]]:
    """Every run of SNIPPET_WORDS words of ``text``: (key to compare, the words as written).

    ``hidden`` adds the runs of its HTML comments (a protected cell's text in any
    form is forbidden; an unprotected cell makes public only what its reader sees).
    """
    found = segments(text, comments=hidden)
    return [
        (snippet_key(run[i : i + SNIPPET_WORDS]), " ".join(run[i : i + SNIPPET_WORDS]))
        for run in found
        for i in _runs(run)
    ]


def file_segments(name: str, data: bytes) -> list[list[str]]:
    """The segments of a built file: its text in every encoding, a picture's text chunks."""
    suffix = name[name.rfind(".") :].lower()
    text = decoded(data)
    if text is None:
        return [run for carried in png_texts(data) for run in segments(carried)]
    if suffix == ".ipynb":
        try:
            strings = _cell_strings(json.loads(text))
        except ValueError:
            return segments(text)
        return [run for string in strings for run in segments(string)]
    if suffix in _MARKUP_SUFFIXES:
        for element in _NO_TEXT_ELEMENTS:
            text = _without_element(text, element)
        return segments(text, "html")
    return segments(text, "code")


def decoded(data: bytes) -> str | None:
    """The text of a file in the encoding it is written in, or None for a binary file.

    A byte order mark names the encoding; without one, UTF-16 and UTF-32 show as
    zero bytes in every second (fourth) place; text that is not UTF-8 is read as
    Windows-1252, whose every byte is a character.
    """
    for mark, codec in _BOMS:
        if data.startswith(mark):
            return data[len(mark) :].decode(codec, errors="replace")
    head = data[:8192]
    if b"\0" not in head:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", errors="replace")
    codec = _wide_codec(head)
    return data.decode(codec, errors="replace") if codec else None


def _wide_codec(head: bytes) -> str | None:
    """UTF-32 or UTF-16 without a byte order mark, told by where its zero bytes sit."""
    head = head[: len(head) - len(head) % 4]
    quarter = max(len(head) // 4, 1)
    zeros = [head[i::4].count(0) / quarter for i in range(4)]
    if min(zeros[1], zeros[2], zeros[3]) > 0.9 and zeros[0] < 0.1:
        return "utf-32-le"
    if min(zeros[0], zeros[1], zeros[2]) > 0.9 and zeros[3] < 0.1:
        return "utf-32-be"
    odd, even = (zeros[1] + zeros[3]) / 2, (zeros[0] + zeros[2]) / 2
    if odd > 0.5 and even < 0.1:
        return "utf-16-le"
    if even > 0.5 and odd < 0.1:
        return "utf-16-be"
    return None


def png_texts(data: bytes) -> list[str]:
    """The text chunks of a PNG (tEXt, zTXt, iTXt): PlantUML keeps its source in one,
    draw.io its diagram (URL-encoded)."""
    if not data.startswith(_PNG):
        return []
    found = []
    position = len(_PNG)
    while position + 8 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        position += length + 12
        if kind == b"IEND":
            break
        text = _chunk_text(kind, body)
        if text:
            found.append(unquote(text) if text.startswith("%3C") else text)
    return found


def _chunk_text(kind: bytes, body: bytes) -> str | None:
    if kind == b"tEXt":
        return body.partition(b"\0")[2].decode("latin-1")
    if kind == b"zTXt":
        return _inflated(body.partition(b"\0")[2][1:])
    if kind == b"iTXt":
        rest = body.partition(b"\0")[2]
        compressed, rest = rest[:1] == b"\1", rest[2:]
        text = rest.partition(b"\0")[2].partition(b"\0")[2]  # after language and translation
        return _inflated(text) if compressed else text.decode("utf-8", errors="replace")
    return None


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


def _cell_strings(value) -> list[str]:
    """The strings of a notebook, one per cell source, output text or metadata value:
    a list of strings (a source kept as lines) is one string, so a sentence across
    lines stays one run while two cells never do."""
    found: list[str] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            pending.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            if item and all(isinstance(line, str) for line in item):
                found.append("".join(item))
            else:
                pending.extend(reversed(item))
    return found


def file_keys(name: str, data: bytes) -> set[int]:
    """The snippet keys of a built file (empty for a file that carries no text)."""
    return {
        snippet_key(run[i : i + SNIPPET_WORDS])
        for run in file_segments(name, data)
        for i in _runs(run)
    }
