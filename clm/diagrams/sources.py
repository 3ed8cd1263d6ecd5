"""What a diagram source renders to, read from the file without a converter.

Planning needs the file names of every render (a draw.io page or a PlantUML
``@start…`` block each gives one picture per format) before anything runs.
"""

from __future__ import annotations

import os

from clm.diagrams.names import DRAWIO, diagram_kind, picture_names


def render_names(source: str, data: bytes, formats: tuple[str, ...]) -> tuple[str, ...]:
    """``("arch.png", "arch.svg", "arch-2.png", …)``: page 1 is the bare stem."""
    if diagram_kind(source) == DRAWIO:
        from clm.diagrams.drawio import page_names

        pictures = len(page_names(data))
    else:
        from clm.diagrams.plantuml import block_count

        pictures = block_count(data)  # 0: a file only for other diagrams to include
    return picture_names(source, pictures, formats)


def included_files(root, source: str) -> tuple[str, ...]:
    """The files a PlantUML source includes, relative to the course root (draw.io: none)."""
    if diagram_kind(source) == DRAWIO:
        return ()
    from pathlib import Path

    from clm.diagrams.plantuml import includes

    base = Path(root).resolve()
    return tuple(Path(os.path.relpath(path, base)).as_posix() for path in includes(base / source))
