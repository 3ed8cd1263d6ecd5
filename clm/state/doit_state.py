"""What doit's up-to-date checker and its backend share in one run, passed to both.

The checker hashes each source once and records the hash in the state store
the backend writes with each task's record; it also answers for the virtual
dependencies (``clm:engine``, …) with the values planning worked out. doit
makes both objects itself from DOIT_CONFIG: the checker by calling
``check_file_uptodate`` without arguments, the backend by its registered name,
handing it nothing of ours but a codec (``codec_cls()``). So the config holds
a ``DoitState``'s ``checker`` and ``codec``, and the codec carries the state to
the backend. Whoever makes DOIT_CONFIG (or a doit ``Dependency`` of its own)
makes one DoitState for the run; nothing is kept in a module.
"""

from __future__ import annotations

from collections.abc import Mapping

from doit.dependency import JSONCodec

from clm.state.checker import ContentChecker
from clm.state.store import StateStore
from clm.state.workspace import Workspace


class DoitState:
    """The state store and the virtual dependencies' values of one run of doit."""

    def __init__(self, workspace: Workspace, values: Mapping[str, str] | None = None):
        self.workspace = workspace
        # By virtual dependency (clm.state.checker.VIRTUAL_PREFIX); set by planning, which
        # runs after doit made its checker.
        self.values: dict[str, str] = dict(values or {})
        self._store: StateStore | None = None

    def store(self) -> StateStore:
        """The run's store of the workspace's state, opened (the folder made) on first use."""
        if self._store is None:
            self.workspace.make_folder()
            self._store = StateStore(self.workspace.state_file.resolve())
        return self._store

    def opened(self) -> StateStore | None:
        """The store if someone opened it; the checker hashes without one until then."""
        return self._store

    def closed(self) -> None:
        """The backend closed the store at the end of its run; a next run opens it again."""
        self._store = None

    def checker(self) -> ContentChecker:
        """doit's ``check_file_uptodate``."""
        return ContentChecker(self.values, self.opened)

    def codec(self) -> StateCodec:
        """doit's ``codec_cls``: how the backend of this run receives the state."""
        return StateCodec(self)

    def doit_config(self) -> dict:
        """The entries of DOIT_CONFIG that bind doit's checker and backend to this state."""
        return {
            "dep_file": str(self.workspace.state_file),
            "check_file_uptodate": self.checker,
            "codec_cls": self.codec,
        }


class StateCodec(JSONCodec):
    """doit's JSON codec of task records, carrying the run's DoitState to the backend."""

    def __init__(self, state: DoitState):
        super().__init__()
        self.state = state
