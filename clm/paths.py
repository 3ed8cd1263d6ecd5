"""Where a path really is, and what a file may be called.

Where: "does this path stay in that folder" is asked here, nowhere else, in one
of two ways:

- resolved (``stays_within``, ``is_within``, ``holding_folder``,
  ``check_within``, ``CourseArea``): symlinks followed, on the disk as it is.
  The answer for anything clm reads, writes or deletes. The course may read
  only below its root (and below folders its spec allows explicitly), and clm
  may write and delete only below the folder a write is for.
- lexical (``plain_relative``, ``lexically_within``, ``guarding_folder``):
  the path as written, without touching the disk. For a path from a spec, a
  URL or a template name, checked before it meets the disk (it may not exist
  yet, and the message names what the author wrote), and for choosing among
  folders by name. A lexical yes is never permission to touch a file: the
  resolved check follows wherever the disk is touched.

What: names valid on Linux, macOS and Windows, made as CLM makes them.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from clm.errors import CourseError

# Linux and macOS allow 255 bytes per file or folder name (Windows 255 UTF-16 units).
MAX_NAME_BYTES = 255

_REPLACEMENTS = str.maketrans(
    {
        **{c: "(" for c in "{["},
        **{c: ")" for c in "}]"},
        **{c: "_" for c in "/\\$#%&<>*=^€|"},
        **{c: None for c in ";!?\"'`.:"},
        **{chr(i): None for i in range(32)},
    }
)
_WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(\..*)?$", re.IGNORECASE)


def sanitize(name: str) -> str:
    """A file or folder name that is valid on Linux, macOS and Windows, as CLM makes it."""
    cleaned = name.replace("C#", "CSharp").replace("c#", "csharp").translate(_REPLACEMENTS)
    cleaned = cleaned.strip().rstrip(". ")
    if _WINDOWS_RESERVED.match(cleaned):
        cleaned += "_"
    return cleaned or "_"


def name_bytes(name: str) -> int:
    """How long a file or folder name is on disk, to compare with MAX_NAME_BYTES."""
    return len(name.encode("utf-8"))


def real(path: Path | str) -> Path:
    """The path with every symlink resolved; the parts that do not exist yet kept as given."""
    return Path(os.path.realpath(path))


def is_within(path: Path, folder: Path) -> bool:
    """Whether a resolved ``path`` is ``folder`` or lies below it (both resolved already;
    see ``stays_within`` for paths that are not)."""
    inner, outer = str(path), str(folder)
    return inner == outer or inner.startswith(outer if outer.endswith(os.sep) else outer + os.sep)


def stays_within(path: Path, folder: Path) -> bool:
    """Whether ``path``, every symlink resolved, is ``folder`` (resolved too) or lies below it."""
    return is_within(real(path), real(folder))


def plain_relative(written: str) -> PurePosixPath | None:
    """Lexical: the POSIX path ``written`` normalised as a relative path (``.`` dropped,
    ``..`` cancelling the part before it; ``.`` for nothing left); None when it is absolute
    or climbs above where it starts."""
    posix = PurePosixPath(written)
    if posix.is_absolute():
        return None
    parts: list[str] = []
    for part in posix.parts:
        if part == "..":
            if not parts:
                return None
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


def lexically_within(path: str, folder: str) -> bool:
    """Lexical: whether ``path`` is ``folder`` or named below it, both normalised relative
    POSIX paths as ``plain_relative`` gives them (``.`` holds every one); no symlink is
    looked at."""
    outer = folder.rstrip("/")
    return outer == "." or path == outer or path.startswith(outer + "/")


def _where(path: Path) -> Path:
    """Where writing or unlinking ``path`` acts: its folder resolved, its name as it is
    (a rename or an unlink replaces a link, it never follows it)."""
    if path.name in ("", ".", ".."):
        return real(path)
    return real(path.parent) / path.name


def holding_folder(path: Path, folders: Iterable[Path]) -> Path | None:
    """The first of ``folders`` that ``path`` really stays in, or None."""
    where = _where(path)
    return next((f for f in folders if is_within(where.parent, real(f))), None)


def guarding_folder(path: str, folders: Iterable[str]) -> str | None:
    """The outermost of ``folders`` that ``path`` is named below (POSIX, as written).

    The folder whose real location a write or removal of ``path`` must stay
    in. The outermost, and chosen by name rather than resolved: a symlinked
    target folder (``output/shared`` → ``slides/…``) must not vouch for what
    is written through it.
    """
    below = [f for f in folders if lexically_within(path, f)]
    return min(below, key=len) if below else None


def check_within(path: Path, folder: Path, doing: str) -> None:
    """Refuse ``doing`` (e.g. "write") ``path`` unless, resolved, it stays in ``folder``.

    The last line of defence behind the spec's checks: the folder holding the
    path is resolved, so a symlinked folder or a ``..`` cannot lead elsewhere.
    """
    if holding_folder(path, (folder,)) is None:
        raise refusal(path, folder, doing)


class OutsideFolder(CourseError):
    """A write or removal that would act outside the folder it is for: refused."""


def refusal(path: Path, folder: Path, doing: str) -> OutsideFolder:
    return OutsideFolder(
        f"refused to {doing} {path}: it lies outside the folder {folder} it belongs to "
        f"(it resolves to {_where(path)}); check the spec's 'output' and 'dir-groups' and any "
        "symlink in that folder",
    )


@dataclass(frozen=True)
class CourseArea:
    """The folders a course may read: its root and the outside folders its spec allows."""

    root: Path  # resolved
    allowed: tuple[Path, ...] = ()  # resolved

    def contains(self, path: Path) -> bool:
        return any(is_within(path, folder) for folder in (self.root, *self.allowed))

    def resolve(self, relative: str, spec: Path | None = None, line: int | None = None) -> Path:
        """The real path of ``relative`` (from the root), which must exist inside the area.

        A symlink leading out of the area, a symlink loop and a link to
        nothing are errors naming the link; ``spec`` and ``line`` say where
        the path was given, when it was.
        """
        lexical = self.root / relative
        try:
            resolved = Path(os.path.realpath(lexical, strict=True))
        except OSError as error:
            link = self.first_link(relative)
            if link is None:
                raise CourseError(f"{relative} does not exist", spec or relative, line) from None
            if error.errno == errno.ELOOP:
                problem = "a symlink loop (it leads back to itself); point it at a real file"
            else:
                problem = (
                    f"a symlink to {os.readlink(self.root / link)}, which does not exist; "
                    "restore its target"
                )
            raise self._link_error(link, f"{problem} or remove the link", spec, line) from None
        if not self.contains(resolved):
            link = self.first_link(relative) or relative
            allowed = os.path.relpath(resolved if resolved.is_dir() else resolved.parent, self.root)
            problem = (
                f"a symlink to {real(self.root / link)}, outside the course root {self.root}; "
                "copy what the course needs into the course, or, if the course may read that "
                f"folder, name it in the spec: 'allow-outside: [{allowed}]'"
            )
            raise self._link_error(link, problem, spec, line)
        return resolved

    @staticmethod
    def _link_error(link: str, problem: str, spec: Path | None, line: int | None) -> CourseError:
        """Named at the spec line that led to the link, else at the link itself."""
        if spec is None:
            return CourseError(problem, link)
        return CourseError(f"{link} is {problem}", spec, line)

    def first_link(self, relative: str) -> str | None:
        """The first part of ``relative`` that is a symlink, as a path from the root."""
        current = self.root
        parts = Path(relative).parts
        for index, part in enumerate(parts):
            current = current / part
            if current.is_symlink():
                return Path(*parts[: index + 1]).as_posix()
        return None
