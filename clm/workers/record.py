"""What a worker needs to know of the build it works for, as a frozen record.

Every job record carries one, so a worker rebuilds the same context whether it
was forked, spawned or started by a fork server, or runs on another machine's
copy of the course: nothing reaches it by being inherited.
"""

from __future__ import annotations

from dataclasses import dataclass

from clm.state.workspace import Workspace


@dataclass(frozen=True)
class SessionSpec:
    """The build's course root, the one thing every job's action needs besides its job."""

    root: str  # absolute

    def workspace(self) -> Workspace:
        return Workspace.at(self.root)

    @property
    def state_file(self) -> str:
        """The state file, as the heartbeat of a worker opens it."""
        return str(self.workspace().state_file)
