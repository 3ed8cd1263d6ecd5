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
    """The build's course root and the shared cache it reads and writes through."""

    root: str  # absolute
    cache_url: str | None = None  # the shared cache's store; None: the course has none
    cache_trust: tuple[str, ...] = ()
    cache_push: str | None = None
    cache_key: str | None = None  # the private signing key, when the build pushes
    cache_timeout: float = 0.0

    @classmethod
    def of(cls, workspace: Workspace, shared: RemoteSettings | None) -> SessionSpec:
        if shared is None:
            return cls(str(workspace.root))
        return cls(
            str(workspace.root),
            shared.url,
            shared.trust,
            shared.push,
            None if shared.key_file is None else str(shared.key_file),
            shared.timeout,
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
