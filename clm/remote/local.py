"""A store in a local folder, walked without ever following a link out of it.

Anybody who can write the folder can plant a symbolic link (``ac/ci-main``
pointing at a home folder), a FIFO or a huge file in it, so every path is
walked one folder at a time from the store's root, each opened relative to
the one before and never through a link: reading, writing, listing and
removing stay inside the folder. A file is read only if it is a regular file,
opened without blocking (a FIFO never hangs a build), and never beyond the
size the caller allows.

Where the platform cannot open a path relative to a folder (Windows), each
folder on the way, and the file, is checked with ``lstat`` before it is used.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from dataclasses import dataclass

RELATIVE_OPEN = os.open in os.supports_dir_fd and os.scandir in os.supports_fd
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_BINARY = getattr(os, "O_BINARY", 0)


class NotAFile(ValueError):
    """A path in the store that is there but is no regular file clm could have written."""

    def __init__(self, path: str, what: str):
        super().__init__(f"{path} is {what}")
        self.path = path
        self.what = what


class TooBig(ValueError):
    """A file longer than its reader allows (only the allowed bytes and one more were read)."""

    def __init__(self, path: str, limit: int):
        super().__init__(f"{path} is longer than {limit:,} bytes")
        self.path = path
        self.limit = limit


def describe(mode: int) -> str:
    """What a file of ``mode`` is, in words for a warning."""
    for test, words in (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ):
        if test(mode):
            return words
    return "not a regular file"


@dataclass(frozen=True)
class _Place:
    """A name in a folder: the open folder (None where the platform cannot open one),
    the folder's path and the name."""

    folder: int | None
    folder_path: str
    name: str

    @property
    def path(self) -> str:
        return f"{self.folder_path}/{self.name}"

    def lstat(self) -> os.stat_result:
        if self.folder is None:
            return os.lstat(self.path)
        return os.stat(self.name, dir_fd=self.folder, follow_symlinks=False)

    def open(self, flags: int, mode: int = 0o644) -> int:
        flags |= _NOFOLLOW | _BINARY
        if self.folder is not None:
            return os.open(self.name, flags, mode, dir_fd=self.folder)
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISLNK(self.lstat().st_mode) or _is_junction(self.path):
                raise NotAFile(self.name, "a symbolic link")
        return os.open(self.path, flags, mode)

    def unlink(self) -> None:
        if self.folder is None:
            os.unlink(self.path)
        else:
            os.unlink(self.name, dir_fd=self.folder)

    def take(self, temporary: str) -> None:
        """Rename ``temporary`` (in the same folder) over this name, in one step."""
        if self.folder is None:
            os.replace(f"{self.folder_path}/{temporary}", self.path)
        else:
            os.replace(temporary, self.name, src_dir_fd=self.folder, dst_dir_fd=self.folder)

    def sibling(self, name: str) -> _Place:
        return _Place(self.folder, self.folder_path, name)


class LocalTree:
    """The folder ``root``; every other path is relative to it, with '/' between parts."""

    def __init__(self, root: str):
        self.root = root

    def read(self, relative: str, limit: int) -> bytes:
        """The file's bytes; FileNotFoundError, NotAFile, or TooBig past ``limit`` bytes."""
        with self._place(relative, create=False) as place:
            try:
                descriptor = place.open(os.O_RDONLY | _NONBLOCK)
            except OSError as error:
                raise _refused(relative, place, error) from None
            with os.fdopen(descriptor, "rb", buffering=0) as file:
                mode = os.fstat(descriptor).st_mode
                if not stat.S_ISREG(mode):
                    raise NotAFile(relative, describe(mode))
                data = _read_at_most(file, limit + 1)
        if len(data) > limit:
            raise TooBig(relative, limit)
        return data

    def is_file(self, relative: str) -> bool:
        try:
            with self._place(relative, create=False) as place:
                return stat.S_ISREG(place.lstat().st_mode)
        except (OSError, NotAFile):
            return False

    def listing(self, relative: str) -> list[tuple[str, os.stat_result]]:
        """The names in a folder with what ``lstat`` says of each; [] where there is no
        such folder, or a link stands in its place."""
        try:
            with self._place(f"{relative}/.", create=False) as place:
                opened = place.folder if place.folder is not None else place.folder_path
                with os.scandir(opened) as found:
                    return sorted((e.name, e.stat(follow_symlinks=False)) for e in found)
        except (FileNotFoundError, NotADirectoryError, NotAFile):
            return []

    def folders(self, relative: str) -> list[str]:
        """The real folders in a folder (a link to a folder is none)."""
        return [name for name, info in self.listing(relative) if stat.S_ISDIR(info.st_mode)]

    def walk(self, relative: str, depth: int) -> Iterator[tuple[str, os.stat_result]]:
        """Every path below a folder that is not itself a folder, at most ``depth`` folders
        down, with its ``lstat``; only real folders are entered, never a link to one."""
        waiting = [(relative, 0)]
        while waiting:
            folder, level = waiting.pop()
            for name, info in self.listing(folder):
                path = f"{folder}/{name}"
                if not stat.S_ISDIR(info.st_mode):
                    yield path, info
                elif level < depth:
                    waiting.append((path, level + 1))

    def write(self, relative: str, data: bytes) -> None:
        """Write the file in one piece: a temporary sibling, renamed over it."""
        with self._place(relative, create=True) as place:
            temporary = place.sibling(f"{place.name}.{secrets.token_hex(6)}.tmp")
            descriptor = temporary.open(os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            try:
                with os.fdopen(descriptor, "wb") as file:
                    file.write(data)
                place.take(temporary.name)
            except BaseException:
                with contextlib.suppress(OSError):
                    temporary.unlink()
                raise

    def remove(self, relative: str) -> None:
        """Remove the file; a link is removed itself, never what it points at."""
        try:
            with self._place(relative, create=False) as place:
                place.unlink()
        except (FileNotFoundError, NotADirectoryError, NotAFile):
            return

    @contextlib.contextmanager
    def _place(self, relative: str, create: bool) -> Iterator[_Place]:
        """Where ``relative`` is, reached one real folder at a time from the root
        (making the folders if ``create``); NotAFile for a link or a file on the way."""
        *parts, name = relative.split("/")
        folder_path = "/".join([self.root, *parts])
        if create:
            os.makedirs(self.root, exist_ok=True)  # the store itself is where it is configured
        if not RELATIVE_OPEN:
            self._check_folders(parts, create)
            yield _Place(None, folder_path, name)
            return
        folder = os.open(self.root, os.O_RDONLY | _DIRECTORY)
        try:
            for index, part in enumerate(parts):
                step = _Place(folder, "", part)
                try:
                    inner = _open_folder(step, create)
                except OSError as error:
                    raise _refused("/".join(parts[: index + 1]), step, error) from None
                os.close(folder)
                folder = inner
            yield _Place(folder, folder_path, name)
        finally:
            os.close(folder)

    def _check_folders(self, parts: list[str], create: bool) -> None:
        path = self.root
        for index, part in enumerate(parts):
            path = f"{path}/{part}"
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(path, 0o755)
            mode = os.lstat(path).st_mode
            if not stat.S_ISDIR(mode) or _is_junction(path):
                raise NotAFile("/".join(parts[: index + 1]), describe(mode))


def _open_folder(place: _Place, create: bool) -> int:
    """The real folder ``place`` names, opened (made first if missing and ``create``)."""
    assert place.folder is not None
    flags = os.O_RDONLY | _DIRECTORY | _NOFOLLOW
    try:
        return os.open(place.name, flags, dir_fd=place.folder)
    except FileNotFoundError:
        if not create:
            raise
    with contextlib.suppress(FileExistsError):  # another writer's, just now
        os.mkdir(place.name, 0o755, dir_fd=place.folder)
    return os.open(place.name, flags, dir_fd=place.folder)


def _refused(relative: str, place: _Place, error: OSError) -> Exception:
    """What a failed ``open`` stands for: through a link (ELOOP, ENOTDIR), NotAFile."""
    if isinstance(error, FileNotFoundError):
        return error
    try:
        mode = place.lstat().st_mode
    except OSError:
        return error
    if stat.S_ISREG(mode):
        return error
    return NotAFile(relative, describe(mode))


def _is_junction(path: str) -> bool:
    return bool(getattr(os.path, "isjunction", lambda _: False)(path))


def _read_at_most(file, size: int) -> bytes:
    chunks, got = [], 0
    while got < size:
        chunk = file.read(min(size - got, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)
