"""doit's up-to-date check by content, hashing each file once per change."""

from __future__ import annotations

import os

from doit.dependency import FileChangedChecker

from clm.state.store import current_store, file_md5

# Dependencies that are values, not files: the engine version and packaged
# templates, which live in the (movable) virtual environment.
VIRTUAL_PREFIX = "clm:"
_virtual_values: dict[str, str] = {}
_VIRTUAL_STAT = os.stat_result((0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0))


def set_virtual_dependency(name: str, value: str) -> str:
    dep = f"{VIRTUAL_PREFIX}{name}"
    _virtual_values[dep] = value
    return dep


class ContentChecker(FileChangedChecker):
    """A file dependency changed when its content hash differs from the recorded one.

    The state is the md5 alone, so a fresh clone (new paths, new mtimes) with a
    restored state rebuilds nothing. Files under .clm/ (intermediate results
    written during the run) are always stat'ed afresh; sources are stat'ed once
    per run.
    """

    def __init__(self) -> None:
        self._stats: dict[str, os.stat_result] = {}
        self._fallback: dict[str, tuple[int, int, str]] = {}

    def exists(self, file_path: str) -> bool:
        return os.path.exists(file_path)

    def info(self, file_path: str) -> os.stat_result:
        if file_path.startswith(VIRTUAL_PREFIX):
            if file_path not in _virtual_values:
                raise OSError(f"unknown clm value {file_path}")
            return _VIRTUAL_STAT
        if file_path.startswith(".clm/"):
            return os.stat(file_path)
        stat = self._stats.get(file_path)
        if stat is None:
            stat = self._stats[file_path] = os.stat(file_path)
        return stat

    def _md5(self, path: str, stat: os.stat_result) -> str:
        if path.startswith(VIRTUAL_PREFIX):
            return _virtual_values[path]
        store = current_store()
        if store is not None:
            return store.md5(path, stat)
        known = self._fallback.get(path)
        if known is None or known[:2] != (stat.st_size, stat.st_mtime_ns):
            known = self._fallback[path] = (stat.st_size, stat.st_mtime_ns, file_md5(path))
        return known[2]

    def check_modified(self, file_path: str, file_stat: os.stat_result, state) -> bool:
        return self._md5(file_path, file_stat) != state

    def get_state(self, dep: str, current_state):
        stat = _VIRTUAL_STAT if dep.startswith(VIRTUAL_PREFIX) else os.stat(dep)
        md5 = self._md5(dep, stat)
        return None if md5 == current_state else md5

    def forget_stats(self) -> None:
        """Drop cached stats (a long-lived process starting a new cycle)."""
        self._stats.clear()
