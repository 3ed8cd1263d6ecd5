"""How the guard reads a built file: every form its reader sees, and nothing its tools add."""

from __future__ import annotations

import base64
import unicodedata
import zlib

import nbformat

from clm.deck.formats import code_bytes, html_bytes, notebook_bytes
from clm.deck.prepass import Prepass
from clm.languages.table import PYTHON
from clm.leaks.snippets import deck_snippets, forbidden_text
from clm.leaks.words import file_keys, png_texts, snippet_key

NOTES = "Remind them that the exam covers chapters three and five only."
DECK = f'# %% [markdown] tags=["notes"]\n# {NOTES}\n'


def _leaks(name: str, data: bytes, deck: str = DECK, code_along: bool = False) -> list[str]:
    forbidden = forbidden_text([deck_snippets(Prepass(), deck, "deck.py", ("en",))])
    return [origin.tag for origin in forbidden.leaks(file_keys(name, data), code_along)]


def _markdown_notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(s) for s in sources])


def test_a_sentence_in_an_html_comment_is_read_in_every_output():
    cell = f"Welcome to the course.\n\n<!-- {NOTES} -->"
    notebook = _markdown_notebook(cell)
    for name, data in (
        ("README.md", f"# Bonus\n<!--\n{NOTES}\n-->\n".encode()),
        ("page.html", html_bytes(notebook, "Page")),
        ("deck.ipynb", notebook_bytes(notebook)),
        ("deck.py", code_bytes(notebook, PYTHON)),
    ):
        assert _leaks(name, data) == ["notes"], name


def test_a_comment_in_a_public_cell_does_not_make_the_notes_public():
    deck = DECK + f"\n# %% [markdown]\n# Welcome. <!-- {NOTES} -->\n"
    assert _leaks("README.md", f"<!-- {NOTES} -->".encode(), deck) == ["notes"]
    # What the public cell shows is public as ever.
    shown = DECK + f"\n# %% [markdown]\n# {NOTES}\n"
    assert _leaks("README.md", NOTES.encode(), shown) == []


def test_alt_and_title_attributes_are_read():
    notebook = _markdown_notebook(f'![{NOTES}](img/a.png "{NOTES}")')
    page = html_bytes(notebook, "Page")
    assert b'alt="Remind' in page and b'title="Remind' in page
    for name, data in (
        ("page.html", page),
        ("page.html", f'<p><img src="a.png" alt="{NOTES}"></p>'.encode()),
        ("page.html", f'<p><a href="x" title="{NOTES}">x</a></p>'.encode()),
        ("a.svg", f"<svg><image href='x.png' aria-label='{NOTES}'/></svg>".encode()),
        ("notes.md", f'See ![a diagram](img/a.png "{NOTES}")'.encode()),
    ):
        assert _leaks(name, data) == ["notes"], data


def test_the_alt_text_of_a_public_cell_is_public():
    deck = DECK + f'\n# %% [markdown]\n# <img src="img/a.png" alt="{NOTES}">\n'
    assert _leaks("page.html", f'<img src="img/a.png" alt="{NOTES}">'.encode(), deck) == []


def test_utf16_and_utf32_files_are_text_with_or_without_a_byte_order_mark():
    text = f"Bonus material.\n{NOTES}\n"
    for codec in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-8-sig"):
        assert _leaks("README.md", text.encode(codec)) == ["notes"], codec
    assert _leaks("README.txt", NOTES.encode("cp1252")) == ["notes"]


def test_words_of_adjacent_svg_text_elements_stay_apart():
    # PlantUML draws each line of a note as a <text> of its own, without a space between.
    deck = '# %% [markdown] tags=["notes"]\n# Remind them that the exam covers chapters.\n'
    svg = (
        "<svg><text x='1'>Remind them that</text><text x='1'>the exam covers chapters.</text></svg>"
    )
    assert _leaks("a.svg", svg.encode(), deck) == ["notes"]


def _plantuml_encoded(source: str) -> str:
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = deflater.compress(source.encode()) + deflater.flush()
    standard = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    plantuml = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
    encoded = base64.b64encode(data).rstrip(b"=")
    return encoded.translate(bytes.maketrans(standard, plantuml)).decode()


def test_a_diagram_s_embedded_source_is_read():
    source = f"@startuml\nnote over A\n{NOTES}\nend note\n@enduml\n"
    svg = f"<svg><text>A</text><?plantuml-src {_plantuml_encoded(source)}?></svg>"
    assert _leaks("flow.svg", svg.encode()) == ["notes"]

    page = f'<mxGraphModel><root><mxCell value="{NOTES.replace(" the ", " &lt;b&gt;the&lt;/b&gt; ")}"/></root></mxGraphModel>'
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    quoted = page.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
    packed = base64.b64encode(deflater.compress(quoted.encode()) + deflater.flush()).decode()
    drawio = f'<mxfile><diagram id="a" name="Page-1">{packed}</diagram></mxfile>'
    assert _leaks("flow.drawio", drawio.encode()) == ["notes"]
    # draw.io's own SVG export keeps the file, escaped, in an attribute.
    escaped = drawio.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    assert _leaks("flow.drawio.svg", f'<svg content="{escaped}"><g/></svg>'.encode()) == ["notes"]


def _png(*chunks: tuple[bytes, bytes]) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    header = chunk(b"IHDR", bytes.fromhex("00000001000000010800000000"))
    pixels = chunk(b"IDAT", zlib.compress(b"\0\0"))
    middle = b"".join(chunk(kind, body) for kind, body in chunks)
    return b"\x89PNG\r\n\x1a\n" + header + middle + pixels + chunk(b"IEND", b"")


def test_a_png_s_text_chunks_are_read():
    source = f"@startuml\nnote over A\n{NOTES}\nend note\n@enduml".encode()
    plantuml = _png((b"iTXt", b"plantuml\0\1\0\0\0" + zlib.compress(source)))
    assert _leaks("img/flow.png", plantuml) == ["notes"]
    assert png_texts(plantuml) == [source.decode()]
    for kind, body in (
        (b"tEXt", b"Comment\0" + NOTES.encode("latin-1")),
        (b"zTXt", b"Comment\0\0" + zlib.compress(NOTES.encode())),
        (b"iTXt", b"mxfile\0\0\0en\0\0" + f"%3Cmxfile%3E{NOTES}%3C/mxfile%3E".encode()),
    ):
        assert _leaks("img/flow.png", _png((kind, body))) == ["notes"], kind
    assert _leaks("img/flow.png", _png()) == []


def test_unicode_is_compared_normalised():
    german = "Erinnern Sie daran, dass die Prüfung nur Kapitel drei und fünf abdeckt."
    deck = f'# %% [markdown] tags=["notes"]\n# {german}\n'
    for form in ("NFD", "NFKD"):
        assert _leaks("x.md", unicodedata.normalize(form, german).encode(), deck) == ["notes"]
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in NOTES)
    assert _leaks("x.md", wide.encode()) == ["notes"]  # full-width letters


JAVA_START = "class UserService {\n    public User getUserData() { }\n}"
JAVA_ALT = "class UserService {\n    public User getUserData() {\n        // In a real application"


def test_prompts_and_cell_boundaries_never_join_two_cells():
    deck = (
        f'# %% tags=["start"]\n{JAVA_START}\n\n'
        f'# %% tags=["alt"]\n{JAVA_ALT} this reads a database.\n    }}\n}}\n'
    )
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(JAVA_START),
            nbformat.v4.new_code_cell("In a real world we would test it."),
        ]
    )
    page = html_bytes(notebook, "Code-along")
    assert "In\xa0[\xa0]:" in page.decode()  # nbconvert's prompt
    for name, data in (
        ("page.html", page),
        ("deck.ipynb", notebook_bytes(notebook)),
        ("deck.py", code_bytes(notebook, PYTHON)),
    ):
        assert _leaks(name, data, deck, code_along=True) == [], name
    # The alt cell's own text is still found.
    leaked = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(JAVA_ALT)])
    assert _leaks("page.html", html_bytes(leaked, "x"), deck, code_along=True) == ["alt"]


def test_a_sentence_across_lines_of_one_cell_is_one_run():
    notebook = _markdown_notebook(NOTES.replace(" exam ", "\nexam "))
    assert "\n" in notebook_bytes(notebook).decode()
    assert _leaks("deck.ipynb", notebook_bytes(notebook)) == ["notes"]
    assert snippet_key(["A", "B"]) == snippet_key(["a", "b"])
