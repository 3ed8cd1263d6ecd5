"""What a course looked like after its last build: file stamps, values and up-to-date tasks.

A build that nothing could have changed since the last one needs no plan and no
up-to-date check by content: comparing a stat of every file is enough, the way
make, ninja and git answer "nothing changed" in milliseconds. A ``Snapshot`` is
that comparison's other side, written at the end of a build that was not
stopped:

- ``stamps``: (size, mtime_ns, inode) of every file the build read, stat'ed
  *before* planning read it: a file modified during the build has another stamp
  the next time, and is looked at again;
- ``outputs``: the stamps of what the tasks write, as the build left them;
- ``folders``: the course's folders (with their stamps, for the record: a new
  file is found by the walk itself, and a folder's stamp also changes for what
  planning never reads, such as an editor's swap file);
- ``values``: the tasks' virtual dependencies (the kernels' environments, the
  engine, cross-references);
- ``tasks``: the names of the tasks that ended up to date (a failed task and what
  it held back are not among them);
- ``context``: whatever else decides the build (clm's version, the interpreter,
  the variables clm and its tools read), as one string.

A source's stamp that could still change within the file system's clock
resolution (a file modified in the two seconds before it was stat'ed) is not
trusted: it is kept as None, which never equals a stamp. (Outputs are clm's to
write: their stamps only tell whether someone touched or removed them.) Every build forgets the snapshots as
it starts (clm.session.session), and commands that change the state behind
doit's back (``doit forget``, ``clean``) forget them too.

The file is marshal'ed (fast to read, and only ever read by the clm that
wrote it: its version is the first field).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

FORMAT = 1
PREFIX = "snapshot-"
# Stamps newer than this, at the time they are taken, are not trusted (FAT has 2 s).
RACY_NS = 2_000_000_000

Stamp = tuple[int, int, int] | None  # size, mtime_ns, inode; None: look at the file again


@dataclass
class Snapshot:
    """The state of a course's files after a build (see the module's description)."""

    context: str
    stamps: dict[str, Stamp]  # sources, stat'ed before planning
    folders: dict[str, Stamp]
    values: dict[str, str]
    tasks: frozenset[str]
    skipped_folders: tuple[str, ...] = ()  # not walked: output roots
    said: tuple[str, ...] = ()  # what planning warned of, said again by a build it spares
    uptodate: int = 0  # the tasks a no-op reports as up to date (groups not counted)
    complete: bool = True  # every task ended up to date: none failed or was held back
    taken: float = field(default_factory=time.time)
    outputs: dict[str, Stamp] = field(default_factory=dict)  # stat'ed after the build
    # The kernels the context stamps: (kernelspec, course interpreter or None, its folders).
    kernels: tuple[tuple[str, str | None, tuple[str, ...]], ...] = ()

    def to_bytes(self) -> bytes:
        return marshal.dumps(
            (
                FORMAT,
                self.context,
                self.stamps,
                self.folders,
                self.values,
                sorted(self.tasks),
                list(self.skipped_folders),
                list(self.said),
                self.uptodate,
                self.complete,
                self.taken,
                self.outputs,
                [list(kernel) for kernel in self.kernels],
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Snapshot | None:
        """The snapshot in ``data``; None for one of another format, or damaged."""
        try:
            fields = marshal.loads(data)
            if not isinstance(fields, tuple) or not fields or fields[0] != FORMAT:
                return None
            (_, context, stamps, folders, values, tasks, skipped, said, uptodate, complete,
             taken, outputs, kernels) = fields  # fmt: skip
            return cls(
                context,
                stamps,
                folders,
                values,
                frozenset(tasks),
                tuple(skipped),
                tuple(said),
                uptodate,
                complete,
                taken,
                outputs,
                tuple((k, python, tuple(folders)) for k, python, folders in kernels),
            )
        except (EOFError, ValueError, TypeError):
            return None


def snapshot_file(folder: Path, spec_key: str) -> Path:
    """Where the snapshot of one spec's builds lives in a ``.clm`` folder."""
    digest = hashlib.md5(spec_key.encode()).hexdigest()[:16]
    return folder / f"{PREFIX}{digest}"


def load(path: Path) -> Snapshot | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return Snapshot.from_bytes(data)


def save(path: Path, snapshot: Snapshot) -> None:
    """Write ``snapshot`` in one step: a reader sees the old file, the new one or none."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(snapshot.to_bytes())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def forget_all(folder: Path) -> None:
    """Forget every snapshot of a ``.clm`` folder: its builds look at everything again."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(PREFIX):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(folder / name)


def stamp_of(path: str, newest: int) -> Stamp:
    """The stamp of ``path``; None when it is missing or was modified after ``newest``."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if stat.st_mtime_ns > newest:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def trusted_since(now_ns: int | None = None) -> int:
    """The newest mtime a stamp taken now may have and still be trusted."""
    return (time.time_ns() if now_ns is None else now_ns) - RACY_NS


def stamps_of(paths: Iterable[str], newest: int) -> dict[str, Stamp]:
    return {path: stamp_of(path, newest) for path in paths}


def walk(
    root: str, skipped: frozenset[str], is_ignored, newest: int
) -> tuple[dict[str, Stamp], dict[str, Stamp]]:
    """The stamps of every file and folder under ``root`` (relative to it, ``/``-separated),
    leaving out names ``is_ignored`` says planning never reads, and the ``skipped`` folders."""
    files: dict[str, Stamp] = {}
    folders: dict[str, Stamp] = {".": stamp_of(root, newest)}
    pending = [""]
    while pending:
        prefix = pending.pop()
        try:
            entries = os.scandir(os.path.join(root, prefix) if prefix else root)
        except OSError:
            continue
        with entries:
            for entry in entries:
                if is_ignored(entry.name):
                    continue
                relative = f"{prefix}{entry.name}"
                try:
                    stat = entry.stat()
                    is_folder = entry.is_dir()
                except OSError:
                    continue
                stamp = (
                    None
                    if stat.st_mtime_ns > newest
                    else (stat.st_size, stat.st_mtime_ns, stat.st_ino)
                )
                if is_folder:
                    if relative in skipped:
                        continue
                    folders[relative] = None if stamp is None else (0, stamp[1], stamp[2])
                    pending.append(f"{relative}/")
                else:
                    files[relative] = stamp
    return files, folders


def output_folder_stamp(folder: str, newest: int) -> tuple | None:
    """The stamp of an output folder the build just wrote: with its file names when it
    was modified after ``newest`` (a file removed within the same clock tick would not
    change the stamp, but it changes the names)."""
    try:
        stat = os.stat(folder)
        names = tuple(sorted(os.listdir(folder))) if stat.st_mtime_ns > newest else None
    except OSError:
        return None
    stamp = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    return stamp if names is None else (*stamp, names)


def output_folder_now(folder: str, recorded: tuple | None) -> tuple | None:
    """The stamp of an output folder (or file) to compare with the ``recorded`` one:
    with its file names when those were recorded and the stamp is the same."""
    stamp = stamp_of(folder, sys.maxsize)
    if stamp is None or recorded is None or len(recorded) != 4 or recorded[:3] != stamp:
        return stamp
    try:
        names = tuple(sorted(os.listdir(folder)))
    except OSError:
        return None
    return (*stamp, names)
