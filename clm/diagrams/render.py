"""Rendering a diagram source in a worker, with its converter kept warm.

Each worker process keeps at most one PlantUML JVM and one browser (its
Converters, which its job context owns), started by the first diagram that
needs it and closed when the worker exits. The render key names what decides
a render's pictures (source bytes, converter, formats, converter versions,
included files); the build looks it up in the results cache before it asks
for a render here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from multiprocessing import util
from typing import TYPE_CHECKING

from clm import RENDER_VERSION
from clm.diagrams import tools
from clm.diagrams.names import DRAWIO

if TYPE_CHECKING:
    from clm.diagrams.drawio import DrawioRenderer
    from clm.diagrams.plantuml import PlantUml


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


class Converters:
    """The diagram converters of one process, one of each kind: started by the first
    diagram that needs it, reused by every later one, closed when the process ends.

    A worker's context owns them (clm.session.worker.JobContext), which each
    process makes for itself: a forked child never talks to its parent's.
    """

    def __init__(self) -> None:
        self._by_kind: dict[str, DrawioRenderer | PlantUml] = {}

    def render(
        self, kind: str, source: str, data: bytes, formats: tuple[str, ...]
    ) -> list[tuple[str, bytes]]:
        """The (picture file name, bytes) that ``data``, the bytes of ``source``, renders to.

        Raises DiagramError (a broken source, a missing converter).
        """
        return self._converter(kind).render(source, data, formats)

    def started(self, kind: str) -> int:
        """How many converter processes of ``kind`` these converters started (for the counts)."""
        converter = self._by_kind.get(kind)
        return converter.started if converter is not None else 0

    def _converter(self, kind: str) -> DrawioRenderer | PlantUml:
        converter = self._by_kind.get(kind)
        if converter is None:
            if kind == DRAWIO:
                from clm.diagrams.drawio import DrawioRenderer

                converter = DrawioRenderer()
            else:
                from clm.diagrams.plantuml import PlantUml

                converter = PlantUml()
            # At the process's exit: multiprocessing runs these in every child, however
            # it was started (and at the exit of a process that is not one).
            util.Finalize(converter, converter.close, exitpriority=10)
            self._by_kind[kind] = converter
        return converter
