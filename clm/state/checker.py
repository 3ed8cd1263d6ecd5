"""doit's up-to-date check by content, hashing each file once per change."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from doit.dependency import FileChangedChecker

from clm.state.store import StateStore, file_md5
from clm.state.workspace import is_intermediate

# Dependencies that are values, not files: the engine version and packaged
# templates, which live in the (movable) virtual environment.
VIRTUAL_PREFIX = "clm:"
_VIRTUAL_STAT = os.stat_result((0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0))


def virtual_dependency(name: str) -> str:
    """The name tasks depend on for a value (its value: the checker's ``values``)."""
    return f"{VIRTUAL_PREFIX}{name}"


def _no_store() -> StateStore | None:
    return None


class ContentChecker(FileChangedChecker):
    """A file dependency changed when its content hash differs from the recorded one.

    The state is the md5 alone, so a fresh clone (new paths, new mtimes) with a
    restored state rebuilds nothing. Sources are stat'ed and hashed at most once
    per run and targets found by listing their folder once; files under .clm/
    (intermediate results written during the run) are always looked at afresh.
    """

    def __init__(
        self,
        values: Mapping[str, str] | None = None,
        store: Callable[[], StateStore | None] = _no_store,
    ) -> None:
        # The virtual dependencies' values, as planning works them out (it may run after
        # doit made this checker), and the store the run records hashes in, once opened.
        self._values = values if values is not None else {}
        self._store = store
        self._stats: dict[str, os.stat_result] = {}
        self._hashes: dict[str, str] = {}
        self._listings: dict[str, frozenset[str]] = {}
        self._fallback: dict[str, tuple[int, int, str]] = {}

    def exists(self, file_path: str) -> bool:
        """Whether a target exists; one directory listing answers for all its files."""
        if is_intermediate(file_path):
            return os.path.exists(file_path)
        folder, _, name = file_path.rpartition("/")
        listing = self._listings.get(folder)
        if listing is None:
            try:
                listing = frozenset(os.listdir(folder or "."))
            except OSError:
                listing = frozenset()
            self._listings[folder] = listing
        return name in listing

    def info(self, file_path: str) -> os.stat_result:
        if file_path.startswith(VIRTUAL_PREFIX):
            if file_path not in self._values:
                raise OSError(f"unknown clm value {file_path}")
            return _VIRTUAL_STAT
        if is_intermediate(file_path):
            return os.stat(file_path)
        stat = self._stats.get(file_path)
        if stat is None:
            stat = self._stats[file_path] = os.stat(file_path)
        return stat

    def _md5(self, path: str, stat: os.stat_result) -> str:
        if path.startswith(VIRTUAL_PREFIX):
            return self._values[path]
        if not is_intermediate(path):
            known = self._hashes.get(path)
            if known is None:
                known = self._hashes[path] = self._content_md5(path, stat)
            return known
        return self._content_md5(path, stat)

    def _content_md5(self, path: str, stat: os.stat_result) -> str:
        store = self._store()
        if store is not None:
            return store.md5(path, stat)
        known = self._fallback.get(path)
        if known is None or known[:2] != (stat.st_size, stat.st_mtime_ns):
            known = self._fallback[path] = (stat.st_size, stat.st_mtime_ns, file_md5(path))
        return known[2]

    def check_modified(self, file_path: str, file_stat: os.stat_result, state) -> bool:
        return self._md5(file_path, file_stat) != state

    def get_state(self, dep: str, current_state):
        stat = self.info(dep)
        md5 = self._md5(dep, stat)
        return None if md5 == current_state else md5

    def forget_stats(self) -> None:
        """Forget what this run saw (a long-lived process starting a new cycle)."""
        self._stats.clear()
        self._hashes.clear()
        self._listings.clear()
