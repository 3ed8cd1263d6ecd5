"""What a worker needs to know of the build it works for, as a frozen record.

Every job record carries one, so a worker rebuilds the same context whether it
was forked, spawned or started by a fork server: nothing reaches it by being
inherited. Plain strings and numbers only, so the record pickles and prints as
part of ``clm plan --json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clm.remote.settings import RemoteSettings
from clm.remote.signing import PUBLIC_FILE
from clm.state.workspace import Workspace


@dataclass(frozen=True)
class SessionSpec:
    """The build's course root, the shared cache it reads and writes through, and
    whether it runs the executions with kept failures again (--rerun-failed)."""

    root: str  # absolute
    cache_url: str | None = None  # the shared cache's store; None: the course has none
    cache_trust: tuple[str, ...] = ()
    cache_push: str | None = None
    cache_key: str | None = None  # the private signing key, when the build pushes
    cache_timeout: float = 0.0
    rerun_failed: bool = False

    @classmethod
    def of(
        cls, workspace: Workspace, shared: RemoteSettings | None, rerun_failed: bool = False
    ) -> SessionSpec:
        if shared is None:
            return cls(str(workspace.root), rerun_failed=rerun_failed)
        return cls(
            str(workspace.root),
            shared.url,
            shared.trust,
            shared.push,
            None if shared.key_file is None else str(shared.key_file),
            shared.timeout,
            rerun_failed,
        )

    def workspace(self) -> Workspace:
        return Workspace.at(self.root)

    @property
    def state_file(self) -> str:
        """The state file, as the heartbeat of a worker opens it."""
        return str(self.workspace().state_file)

    def shared_cache(self) -> RemoteSettings | None:
        """The settings of the shared cache, as the build resolved them."""
        if self.cache_url is None:
            return None
        return RemoteSettings(
            self.cache_url,
            self.cache_trust,
            self.cache_push,
            None if self.cache_key is None else Path(self.cache_key),
            Path(self.root) / PUBLIC_FILE,
            self.cache_timeout,
        )
