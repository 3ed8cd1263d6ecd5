"""Kept failures as a build reports them, and the switch that runs them again.

A deck execution that ended in a cell error is kept in the results cache
under its execution key (clm.execute.service); the next build reports it
again, with one more line saying it is the kept result of an earlier run,
and starts no kernel. ``clm build --rerun-failed`` (for ``doit``:
``CLM_RERUN_FAILED=1``) runs such decks again. ``clm status`` and the preview
recognise the reported failure by that line (``kept_on``).
"""

from __future__ import annotations

import re

from clm.state.results import KeptFailure
from clm.tasks.switches import switch

RERUN_VARIABLE = "CLM_RERUN_FAILED"
_NOTE = "  kept failure from a run on "
_KEPT_ON = re.compile(rf"^{_NOTE}(\d{{4}}-\d\d-\d\d \d\d:\d\d UTC)", re.MULTILINE)


def rerun_failed(given: bool | None) -> bool:
    """Whether kept failures run again: ``--rerun-failed``, else CLM_RERUN_FAILED, else
    not; CourseError for a value that says neither."""
    return switch(given, RERUN_VARIABLE, "run the decks with kept failures again")


def kept_note(failure: KeptFailure) -> str:
    """The line a kept failure's report ends with: when it ran, how to run it again."""
    return (
        f"{_NOTE}{failure.ran_on}: its code, inputs, kernel and environment are unchanged, so "
        f"it did not run again; `clm build --rerun-failed` ({RERUN_VARIABLE}=1 for doit) does"
    )


def kept_on(message: str | None) -> str | None:
    """When the run was whose kept failure ``message`` reports (None: not a kept one)."""
    found = _KEPT_ON.search(message or "")
    return found.group(1) if found else None
