"""Rendering a diagram source in a worker: cached by content, converters kept warm.

Each worker process keeps at most one PlantUML JVM and one browser, started
by the first diagram that needs it and closed when the worker exits. A render
whose key (source bytes, converter, formats, converter versions) is in the
results cache starts neither.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Sequence
from multiprocessing import util

from clm.diagrams import tools
from clm.state import cache, counters

# Bump when a change in clm changes what a render produces.
RENDER_VERSION = "1"

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
        if kind == "drawio":
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
    source: str,
    data: bytes,
    formats: tuple[str, ...],
    included: Sequence[tuple[str, bytes]] = (),
    expected: Collection[str] | None = None,
) -> tuple[list, bool]:
    """([(file name, bytes)], served from the cache); raises DiagramError.

    ``included`` holds (path, bytes) of the files a PlantUML source includes;
    ``expected`` the file names the plan counts on: a cached render with other
    names cannot be used, so it is dropped and the source rendered again.
    """
    kind = "drawio" if source.endswith(".drawio") else "plantuml"
    key = render_key(kind, data, formats, included)
    files = cache.get_render(key)
    if files is not None and expected is not None and {n for n, _ in files} != set(expected):
        cache.drop("renders", key)
        files = None
    if files is not None:
        counters.add(counters.RENDER_CACHE_HITS)
        return files, True
    converter = _converter(kind)
    before = converter.started
    try:
        files = converter.render(source, data, formats)
    finally:
        started = converter.started - before
        counters.add(counters.BROWSERS if kind == "drawio" else counters.JVMS, started)
    cache.put_render(key, files)
    counters.add(counters.DIAGRAMS_RENDERED)
    return files, False
