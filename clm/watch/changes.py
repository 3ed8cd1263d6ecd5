"""What changed in a course, from file-system events, judged by the disk afterwards.

watchdog reports events as editors make them: a save through a temporary file
and a rename, a burst of writes, a folder copied in. Events are gathered until
the course has been quiet for a moment, and then each touched path is looked at
on disk: that makes a temporary file renamed over a deck a modification of the
deck, and a file created and deleted within the burst no change at all.

Only the sources are watched (slides/, templates/, dir-group folders, the spec
files), never the output folder or .clm/: a build writes thousands of files
there, which would flood the event queue and could trigger itself.
"""

from __future__ import annotations

import os
import queue
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from clm.course.ignored import is_ignored

QUIET_SECONDS = 0.08  # a burst is over after this long without events
LONGEST_BURST = 1.0  # ...or after this long in all

# Editors' temporary and backup files (vim's 4913 probe, JetBrains' safe write, …).
_TEMPORARY = re.compile(
    r"(^4913$|^#.*#$|~$|\.sw[a-p]$|\.tmp$|\.temp$|\.part$|\.crdownload$|___jb_\w+___$|\.clm-tmp$)"
)


def is_temporary(name: str) -> bool:
    return bool(_TEMPORARY.search(name)) or is_ignored(name)


@dataclass(frozen=True)
class Changes:
    """One burst of changes, as paths relative to the course root."""

    modified: frozenset[str] = frozenset()
    created: frozenset[str] = frozenset()
    deleted: frozenset[str] = frozenset()

    @property
    def paths(self) -> frozenset[str]:
        return self.modified | self.created | self.deleted

    def __bool__(self) -> bool:
        return bool(self.paths)

    def describe(self) -> str:
        parts = [f"{path} (new)" for path in sorted(self.created)]
        parts += sorted(self.modified)
        parts += [f"{path} (deleted)" for path in sorted(self.deleted)]
        return ", ".join(parts)


@dataclass
class Scope:
    """What a course watches: folders with everything below them, and single files."""

    root: Path
    folders: tuple[str, ...]  # recursively, relative to the root
    files: frozenset[str] = field(default_factory=frozenset)  # spec files, relative

    def covers(self, relative: str) -> bool:
        if relative in self.files:
            return True
        parts = relative.split("/")
        if any(is_temporary(part) for part in parts):
            return False
        return any(relative == f or relative.startswith(f + "/") for f in self.folders)

    def scan(self) -> set[str]:
        """Every file in scope as it is on disk now."""
        found = {f for f in self.files if (self.root / f).is_file()}
        for folder in self.folders:
            start = self.root / folder
            for current, dirs, names in os.walk(start):
                dirs[:] = [d for d in dirs if not is_temporary(d)]
                below = Path(current).relative_to(self.root).as_posix()
                found.update(f"{below}/{n}" for n in names if not is_temporary(n))
        return found


class ChangeCollector:
    """Turns raw event paths into ``Changes``, keeping the set of files it knows."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.known = scope.scan()

    def rescan(self, scope: Scope | None = None) -> None:
        self.scope = scope or self.scope
        self.known = self.scope.scan()

    def judge(self, touched: Iterable[str]) -> Changes:
        modified, created, deleted = set(), set(), set()
        for relative in touched:
            if not self.scope.covers(relative):
                continue
            path = self.scope.root / relative
            if path.is_dir():
                # A folder moved or copied in: everything below it is new.
                for current, dirs, names in os.walk(path):
                    dirs[:] = [d for d in dirs if not is_temporary(d)]
                    below = Path(current).relative_to(self.scope.root).as_posix()
                    for name in names:
                        file = f"{below}/{name}"
                        if self.scope.covers(file) and file not in self.known:
                            created.add(file)
            elif path.is_file():
                (modified if relative in self.known else created).add(relative)
            else:
                # Gone: the file itself, or a folder and what we knew below it.
                prefix = relative + "/"
                deleted.update(k for k in self.known if k == relative or k.startswith(prefix))
        self.known |= created
        self.known -= deleted
        return Changes(frozenset(modified), frozenset(created), frozenset(deleted))


class EventQueue:
    """A watchdog observer on the scope's folders that queues the paths it hears of."""

    def __init__(self, scope: Scope):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.scope = scope
        self.paths: queue.SimpleQueue[str] = queue.SimpleQueue()
        root = str(scope.root)
        paths = self.paths

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                if event.event_type in ("opened", "closed_no_write"):
                    return
                for name in (event.src_path, getattr(event, "dest_path", "")):
                    if name:
                        relative = os.path.relpath(os.fsdecode(name), root).replace(os.sep, "/")
                        paths.put(relative)

        self.observer = Observer()
        handler = Handler()
        for folder in scope.folders:
            if (scope.root / folder).is_dir():
                self.observer.schedule(handler, str(scope.root / folder), recursive=True)
        # Spec files: their folders, not recursively (the root holds the output folder).
        for folder in sorted({str((scope.root / f).parent) for f in scope.files}):
            self.observer.schedule(handler, folder, recursive=False)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=1)

    def next_burst(self, timeout: float | None = None) -> set[str] | None:
        """The paths of the next burst of events, or None when none came in ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = 0.25 if deadline is None else min(0.25, deadline - time.monotonic())
            if wait <= 0:
                return None
            try:
                first = self.paths.get(timeout=wait)
                break
            except queue.Empty:
                continue
        touched = {first}
        started = time.monotonic()
        while time.monotonic() - started < LONGEST_BURST:
            try:
                touched.add(self.paths.get(timeout=QUIET_SECONDS))
            except queue.Empty:
                break
        return touched
