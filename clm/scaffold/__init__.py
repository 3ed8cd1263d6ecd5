"""Create a new course repository (``clm init``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from clm.errors import CourseError

FILES = {
    "course.yaml": "course.yaml",
    "dodo.py": "dodo.py",
    ".gitignore": "gitignore",
    "slides/module_100_intro/topic_100_welcome/slides_welcome.py": "slides_welcome.py",
}


def scaffold(folder: Path) -> list[Path]:
    """Write a minimal, buildable course into ``folder``; never overwrites a file."""
    existing = [folder / name for name in FILES if (folder / name).exists()]
    if existing:
        raise CourseError("already exists; clm init never overwrites files", existing[0])
    written = []
    package = resources.files(__name__)
    for name, template in FILES.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(package.joinpath(template).read_bytes())
        written.append(target)
    return written
