"""The Jinja templates clm ships: one folder per language (``python/macros.j2`` with the
``header`` macro, and the logos it shows)."""

from pathlib import Path

PACKAGE_TEMPLATES = Path(__file__).resolve().parent


def packaged_files() -> list[Path]:
    """Every file of clm's templates, in a fixed order (what decides the outputs).

    Not this package's own code, nor the bytecode Python caches of it: a
    ``__pycache__`` that appears at the first import (an editable install) changes
    nothing clm writes, and must not make every output out of date.
    """
    return sorted(
        path
        for path in PACKAGE_TEMPLATES.rglob("*")
        if path.is_file()
        and path.suffix not in (".py", ".pyc")
        and "__pycache__" not in path.relative_to(PACKAGE_TEMPLATES).parts
    )


def is_packaged(folder: str) -> bool:
    """Whether a template search folder is one of clm's own."""
    return folder == str(PACKAGE_TEMPLATES) or folder.startswith(f"{PACKAGE_TEMPLATES}/")
