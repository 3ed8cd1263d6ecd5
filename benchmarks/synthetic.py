"""Generate synthetic courses of N decks for the benchmarks."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

DECKS_PER_SECTION = 20
DECKS_PER_MODULE = 50


def tiny_png(seed: int) -> bytes:
    """A valid 16×16 PNG whose colour depends on ``seed``."""
    width = height = 16
    red, green, blue = (seed * 37) % 256, (seed * 91) % 256, (seed * 53) % 256
    row = b"\x00" + bytes([red, green, blue]) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# A course's own templates folder: unused by the decks, but every deck's
# pre-pass stamps it, so the benchmarks' touch-all run covers templates too.
COURSE_TEMPLATE = """{% macro course_note(text) %}
<small>{{ text }}</small>
{% endmacro %}
"""

# The code cell a failing deck ends with: its execution raises, every time.
FAILING_CELL = """
# %%
raise ValueError("lesson {index} fails on purpose")
"""


def deck_text(index: int, fails: bool = False) -> str:
    text = f"""# j2 from 'macros.j2' import header
# {{{{ header("Lektion {index}", "Lesson {index}") }}}}

# %% [markdown] lang="de" tags=["slide"]
#
# ## Daten lesen ({index})
#
# Wir lesen die Datei `data/values_{index}.csv`.
#
# <img src="img/chart_{index}.png" alt="Diagramm">

# %% [markdown] lang="en" tags=["slide"]
#
# ## Reading data ({index})
#
# We read the file `data/values_{index}.csv`.
#
# <img src="img/chart_{index}.png" alt="Chart">

# %%
with open("data/values_{index}.csv") as stream:
    values = [int(line) for line in stream]
sum(values)

# %% [markdown] lang="de" tags=["notes"]
#
# Hinweis für Vortragende zu Lektion {index}.

# %% [markdown] lang="en" tags=["notes"]
#
# Speaker note for lesson {index}.

# %% tags=["keep"]
squares = [value * value for value in values]

# %%
max(squares)
"""
    return text + FAILING_CELL.format(index=index) if fails else text


def fails(index: int, failing_every: int | None) -> bool:
    """Whether deck ``index`` raises: the last of every ``failing_every`` decks."""
    return failing_every is not None and index % failing_every == failing_every - 1


def generate(root: Path, decks: int, failing_every: int | None = None) -> Path:
    """Write a course with ``decks`` directory topics; returns its spec file.

    With ``failing_every`` (3: every third deck), those decks' code raises.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "slides").mkdir(exist_ok=True)
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / "course.j2").write_text(COURSE_TEMPLATE, encoding="utf-8")
    sections: list[list[str]] = []
    for index in range(decks):
        module = root / "slides" / f"module_{100 + index // DECKS_PER_MODULE:03d}_part"
        topic = module / f"topic_{index:04d}_lesson_{index}"
        (topic / "data").mkdir(parents=True, exist_ok=True)
        (topic / "img").mkdir(exist_ok=True)
        (topic / f"slides_lesson_{index}.py").write_text(
            deck_text(index, fails(index, failing_every)), encoding="utf-8"
        )
        values = "\n".join(str((index * 7 + k) % 100) for k in range(20))
        (topic / "data" / f"values_{index}.csv").write_text(values + "\n", encoding="utf-8")
        (topic / "img" / f"chart_{index}.png").write_bytes(tiny_png(index))
        if index % DECKS_PER_SECTION == 0:
            sections.append([])
        sections[-1].append(f"lesson_{index}")
    lines = ["name: {de: Synthetischer Kurs, en: Synthetic Course}", "sections:"]
    for number, topics in enumerate(sections, start=1):
        lines.append(f"  - name: {{de: Teil {number}, en: Part {number}}}")
        lines.append(f"    topics: [{', '.join(topics)}]")
    spec = root / "course.yaml"
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    write_xml_spec(root / "course-specs" / "synthetic.xml", sections)
    (root / "dodo.py").write_text(
        "from clm.dodo import course_tasks\n"
        'DOIT_CONFIG, task_course = course_tasks("course.yaml")\n',
        encoding="utf-8",
    )
    return spec


def write_xml_spec(path: Path, sections: list[list[str]]) -> None:
    """The same course as a CLM XML spec, for building it with the CLM tool."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<course>",
        "  <name><de>Synthetischer Kurs</de><en>Synthetic Course</en></name>",
        "  <prog-lang>python</prog-lang>",
        "  <sections>",
    ]
    for number, topics in enumerate(sections, start=1):
        parts.append("    <section>")
        parts.append(f"      <name><de>Teil {number}</de><en>Part {number}</en></name>")
        parts.append("      <topics>")
        parts.extend(f"        <topic>{topic}</topic>" for topic in topics)
        parts.append("      </topics>")
        parts.append("    </section>")
    parts += ["  </sections>", "</course>", ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
