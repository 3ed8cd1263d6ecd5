"""Writing into the output folder: atomically, and only when the bytes changed."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from clm.errors import CourseError, DiskFull, NotWritable, is_disk_full, is_not_writable
from clm.paths import check_within, is_within, real
from clm.state.records import record_outputs, register_temp, release_temp
from clm.state.workspace import Workspace


def unchanged(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file holding ``data`` (a symlink never is: it is
    replaced, so that nothing is written through it)."""
    try:
        info = path.lstat()
    except (FileNotFoundError, NotADirectoryError):  # a file where a folder above should be
        return False
    if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
        return False
    return path.read_bytes() == data


def write_atomic(
    path: Path,
    data: bytes,
    workspace: Workspace,
    spec: str | None,
    *,
    inside: Path,
    mode: int = 0o644,
) -> bool:
    """Put ``data`` at ``path`` unless it is already there; True when the file changed.

    ``path`` must stay, with symlinks resolved, in the folder ``inside`` (the
    output folder, or ``.clm/`` for intermediate files): a CourseError otherwise.

    The bytes go to a temporary file in the same folder that is renamed into
    place, so readers and a killed build never see half a file. The temporary
    file is registered first, so the next build can sweep it after a crash.
    Outputs are recorded under their spec; intermediate files (spec None) not.
    A full file system raises DiskFull naming ``path``; the old file stays.
    """
    check_within(path, inside, "write")
    if unchanged(path, data):
        if os.name != "nt" and stat.S_IMODE(path.stat().st_mode) != mode:
            with _refusals(path):
                os.chmod(path, mode)
        if spec is not None:
            record_outputs(workspace, spec, [path.as_posix()])
        return False
    with _refusals(path):
        path.parent.mkdir(parents=True, exist_ok=True)
    # Named and registered before it exists: a writer killed at any moment leaves
    # no file, or one the next build knows to sweep.
    temp = path.parent / f".{path.name[:40]}.{secrets.token_hex(6)}.clm-tmp"
    temp_key = os.path.relpath(temp, workspace.root)
    register_temp(workspace, temp_key)
    try:
        with _refusals(path):
            with open(temp, "xb") as stream:
                stream.write(data)
            if os.name != "nt":
                os.chmod(temp, mode)
            os.replace(temp, path)
        if spec is not None:
            record_outputs(workspace, spec, [path.as_posix()])
    finally:
        if temp.exists():
            temp.unlink()
        release_temp(workspace, temp_key)
    return True


@contextlib.contextmanager
def _refusals(path: Path) -> Iterator[None]:
    """A full file system (DiskFull) or a folder that refuses writes (NotWritable) as a
    CourseError naming the folder; any other OSError as it is."""
    try:
        yield
    except OSError as error:
        if is_disk_full(error):
            raise DiskFull(path) from None
        if is_not_writable(error):
            # mkdir names the folder it could not make, open the temporary file:
            # the folder that refused is the one above either.
            refused = Path(error.filename).parent if error.filename else path.parent
            raise NotWritable(refused, error) from None
        if isinstance(error, FileExistsError | NotADirectoryError):
            blocker = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
            if blocker is not None:
                raise CourseError(
                    f"a file stands where clm needs a folder (for {path}); move or delete "
                    "it, then build again",
                    blocker.absolute(),
                ) from None
        raise


def copy_atomic(
    source: Path, target: Path, workspace: Workspace, spec: str | None, *, inside: Path
) -> bool:
    """Copy a file, keeping its permission bits: a private file stays private."""
    mode = stat.S_IMODE(source.stat().st_mode) & 0o777
    return write_atomic(target, source.read_bytes(), workspace, spec, inside=inside, mode=mode)


def remove_empty_folders(start: Path, stop: Path) -> None:
    """Remove ``start`` and its parents while they are empty, never ``stop`` or above."""
    folder = start
    stop = real(stop)
    while (here := real(folder)) != stop and is_within(here, stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
