"""Touch every input file of a course: new modification times, the same contents.

A checkout, a copy or a `git stash` round trip does this to a course; a build
after it must compare contents and rebuild nothing.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

# What a course holds that no author wrote: its outputs, clm's state, Python's caches.
NOT_INPUTS = {"output", ".clm", "__pycache__", "reference-output"}
DIAGRAM_SUFFIXES = {".puml", ".plantuml", ".pu", ".drawio"}
IMAGE_SUFFIXES = {".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp"}


def input_files(root: Path) -> list[Path]:
    """Every file of the course at ``root`` that a build reads or may read."""
    found = []
    for parent, folders, names in os.walk(root):
        folders[:] = [name for name in folders if name not in NOT_INPUTS]
        found += [Path(parent, name) for name in names]
    return sorted(found)


def kind(root: Path, path: Path) -> str:
    """The kind of input ``path`` is, in the words of the benchmark's table."""
    parts = path.relative_to(root).parts
    if parts[0] == "templates":
        return "templates"
    if parts[0] == "course-specs" or path.name in ("course.yaml", "course.yml"):
        return "specs"
    if "data" in parts[:-1]:
        return "data"
    if path.suffix in DIAGRAM_SUFFIXES:
        return "diagrams"
    if path.suffix in IMAGE_SUFFIXES:
        return "images"
    if parts[0] == "slides" and path.name.startswith("slides_"):
        return "decks"
    return "other"


def touch_all(root: Path) -> Counter[str]:
    """Give every input of the course one new modification time; counts by kind."""
    now = time.time_ns()
    counts: Counter[str] = Counter()
    for path in input_files(root):
        os.utime(path, ns=(now, now))
        counts[kind(root, path)] += 1
    return counts


def summary(counts: Counter[str]) -> str:
    """``1000 decks, 1000 data, …`` in a fixed order."""
    order = ["decks", "data", "images", "diagrams", "specs", "templates", "other"]
    return ", ".join(f"{counts[name]} {name}" for name in order if counts[name])
