"""The names clm never reads in a course: caches, checkpoints, editors' backups.

A module of its own, free of the course model's imports: a build that finds
nothing changed walks the course with it and imports nothing else of clm.course.
"""

from __future__ import annotations

# Never copied into outputs nor given to a kernel, wherever they appear in a path.
IGNORED_NAMES = frozenset(
    {"__pycache__", ".ipynb_checkpoints", "Thumbs.db", "node_modules", ".venv"}
)
IGNORED_SUFFIXES = (".pyc", ".bak", ".bkp", "~")


def is_ignored(name: str) -> bool:
    return name.startswith(".") or name in IGNORED_NAMES or name.endswith(IGNORED_SUFFIXES)
