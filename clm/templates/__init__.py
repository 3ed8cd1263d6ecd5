"""The Jinja templates clm ships (``macros.j2`` with the ``header`` macro)."""

from pathlib import Path

PACKAGE_TEMPLATES = Path(__file__).resolve().parent
