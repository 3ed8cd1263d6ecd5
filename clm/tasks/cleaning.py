"""``clm clean``: delete every output clm recorded for a spec, and nothing else."""

from __future__ import annotations

from pathlib import Path

from clm.spec import CourseSpec
from clm.state.db import STATE_PATH
from clm.state.records import recorded_outputs
from clm.tasks.actions import delete_recorded


def clean_outputs(spec: CourseSpec) -> tuple[int, list[str]]:
    """(outputs removed, refusals); expects the working directory to be the course root.

    Deletes only below the spec's output folder and target folders (and the
    folders it had before); emptied folders go up to them.
    """
    written = tuple(sorted(recorded_outputs(Path(STATE_PATH), spec.key)))
    roots = (spec.output, *(target.path for target in spec.output_targets))
    refused = delete_recorded(STATE_PATH, spec.key, roots, written)
    return len(written) - len(refused), refused
