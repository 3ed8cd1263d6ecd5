"""Create a new course repository (``clm init``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from clm import languages
from clm.errors import CourseError

FILES = {
    "course.yaml": "course.yaml",
    "dodo.py": "dodo.py",
    ".gitignore": "gitignore",
}
WELCOME = "slides/module_100_intro/topic_100_welcome/slides_welcome"
# Only Python decks can run in the course's own virtual environment.
_KERNEL_PYTHON = (
    "# The decks run in clm's own Python; to run them in the course's own virtual environment:\n"
    "# kernel-python: .venv\n"
)


def scaffold(folder: Path, prog_lang: str = "python") -> list[Path]:
    """Write a minimal, buildable course in ``prog_lang`` into ``folder``; never
    overwrites a file. CourseError for an unknown language or an existing file."""
    if problem := languages.unknown(prog_lang):
        raise CourseError(f"--prog-lang: {problem}")
    suffix = languages.by_name(prog_lang).suffix
    files = {**FILES, f"{WELCOME}{suffix}": f"slides_welcome{suffix}"}
    existing = [folder / name for name in files if (folder / name).exists()]
    if existing:
        raise CourseError("already exists; clm init never overwrites files", existing[0])
    written = []
    package = resources.files(__name__)
    for name, template in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = package.joinpath(template).read_bytes()
        if name == "course.yaml" and prog_lang != "python":
            text = data.decode("utf-8").replace("prog-lang: python\n", f"prog-lang: {prog_lang}\n")
            data = text.replace(_KERNEL_PYTHON, "").encode("utf-8")
        target.write_bytes(data)
        written.append(target)
    return written
