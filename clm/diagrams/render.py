"""Rendering a diagram source in a worker, with its converter kept warm.

Each worker process keeps at most one PlantUML JVM and one browser, started
by the first diagram that needs it and closed when the worker exits. The
render key names what decides a render's pictures (source bytes, converter,
formats, converter versions, included files); the build looks it up in the
results cache before it asks for a render here.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from multiprocessing import util

from clm import RENDER_VERSION
from clm.diagrams import tools
from clm.diagrams.names import DRAWIO

_converters: dict[str, object] = {}
_owner: int | None = None


def _converter(kind: str):
    """This process's converter of a kind (a forked worker makes its own)."""
    global _owner
    if _owner != os.getpid():
        _converters.clear()
        _owner = os.getpid()
    converter = _converters.get(kind)
    if converter is None:
        if kind == DRAWIO:
            from clm.diagrams.drawio import DrawioRenderer

            converter = DrawioRenderer()
        else:
            from clm.diagrams.plantuml import PlantUml

            converter = PlantUml()
        util.Finalize(converter, converter.close, exitpriority=10)
        _converters[kind] = converter
    return converter


def render_key(
    kind: str, data: bytes, formats: tuple[str, ...], included: Sequence[tuple[str, bytes]] = ()
) -> str:
    digest = hashlib.sha256()
    for part in (RENDER_VERSION, kind, ",".join(formats), tools.converter_versions()):
        digest.update(part.encode() + b"\0")
    digest.update(data)
    # Included files by content and course-relative path, so a clone elsewhere hits.
    for path, content in sorted(included):
        digest.update(b"\0" + path.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()


def render(
    kind: str, source: str, data: bytes, formats: tuple[str, ...]
) -> list[tuple[str, bytes]]:
    """The (picture file name, bytes) that ``data``, the bytes of ``source``, renders to.

    Raises DiagramError (a broken source, a missing converter).
    """
    return _converter(kind).render(source, data, formats)


def converters_started(kind: str) -> int:
    """How many converter processes of ``kind`` this process has started (for the counts)."""
    converter = _converters.get(kind) if _owner == os.getpid() else None
    return converter.started if converter is not None else 0
