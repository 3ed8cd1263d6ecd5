"""``clm clean``: delete every output clm recorded for a spec, and nothing else."""

from __future__ import annotations

from clm.spec import CourseSpec
from clm.state.records import recorded_outputs
from clm.state.workspace import Workspace
from clm.tasks.actions import delete_recorded


def clean_outputs(spec: CourseSpec) -> tuple[int, list[str]]:
    """(outputs removed, refusals); expects the working directory to be the course root.

    Deletes only below the spec's output folder and target folders (and the
    folders it had before); emptied folders go up to them.
    """
    workspace = Workspace.at(spec.root)
    written = tuple(sorted(recorded_outputs(workspace, spec.key)))
    roots = (spec.output, *(target.path for target in spec.output_targets))
    refused = delete_recorded(workspace, spec.key, roots, written)
    return len(written) - len(refused), refused
