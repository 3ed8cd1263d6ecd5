"""Which converter a diagram source needs, and what its pictures are called."""

from __future__ import annotations

import posixpath

DRAWIO, PLANTUML = "drawio", "plantuml"


def diagram_kind(source: str) -> str:
    """``drawio`` for a ``.drawio`` file, else ``plantuml`` (the course model allows no other)."""
    return DRAWIO if source.endswith(".drawio") else PLANTUML


def picture_names(source: str, pictures: int, formats: tuple[str, ...]) -> tuple[str, ...]:
    """Picture 1 is ``<stem>.<fmt>``, picture N ``<stem>-N.<fmt>``, formats in the order given."""
    stem = posixpath.splitext(posixpath.basename(source.replace("\\", "/")))[0]
    return tuple(
        f"{stem}{'' if number == 1 else f'-{number}'}.{fmt}"
        for number in range(1, pictures + 1)
        for fmt in formats
    )
