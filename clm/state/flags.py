"""Flags in the state that every process of the running build sees.

Worker processes are started in whatever way the platform starts them (fork,
spawn, a fork server), so what one of them finds out for all the others (a
shared cache that stopped answering) is written where they all look: the state
file of the build's workspace. A build clears its flags when it starts.
"""

from __future__ import annotations

from clm.state.workspace import Workspace

_PREFIX = "flag:"


class WorkspaceFlag:
    """One named flag of the workspace's running build."""

    def __init__(self, workspace: Workspace, name: str):
        self.workspace = workspace
        self.key = f"{_PREFIX}{name}"

    def is_set(self) -> bool:
        row = self.workspace.state().execute("select 1 from meta where key = ?", (self.key,))
        return row.fetchone() is not None

    def set_first(self) -> bool:
        """Set the flag; whether it was this call (of all the build's processes) that set it."""
        cursor = self.workspace.state().execute(
            "insert or ignore into meta values (?, '1')", (self.key,)
        )
        return cursor.rowcount == 1


def clear_flags(workspace: Workspace) -> None:
    """Forget every flag an earlier build set (called as a build starts)."""
    workspace.state().execute("delete from meta where key like ?", (f"{_PREFIX}%",))
