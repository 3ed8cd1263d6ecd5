"""A pinned file (or folder) out of a package of the npm registry, kept in a cache.

The registry's ``integrity`` of a tarball is a SHA-512 digest: a download is
checked against the one written here, so a changed or tampered package is
refused rather than run (clm.downloads.transfer downloads, checks and unpacks).
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from clm.downloads import transfer
from clm.downloads.transfer import FetchError

REGISTRY = "https://registry.npmjs.org"
REGISTRY_VARIABLE = "CLM_NPM_REGISTRY"  # a mirror, e.g. a company's proxy
CACHE_VARIABLE = "CLM_DOWNLOADS"  # where fetched files go instead of the user cache


@dataclass(frozen=True)
class NpmFile:
    """``member`` of the tarball of ``package``@``version``: a file, or with a
    trailing ``/`` a folder, as named inside the tarball (``package/…``)."""

    package: str
    version: str
    integrity: str  # "sha512-…", as the registry lists it under dist.integrity
    member: str

    @property
    def tarball_name(self) -> str:
        return f"{self.package.rsplit('/', 1)[-1]}-{self.version}.tgz"

    def url(self, registry: str) -> str:
        return f"{registry.rstrip('/')}/{self.package}/-/{self.tarball_name}"

    @property
    def label(self) -> str:
        return f"{self.package}@{self.version}"


def cache_root() -> Path:
    """The per-user folder of fetched files ($CLM_DOWNLOADS overrides it)."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("clm", appauthor=False)) / "downloads"


def place(file: NpmFile, root: Path | None = None) -> Path:
    """Where ``file`` is kept once fetched (a folder for a folder member)."""
    root = cache_root() if root is None else root
    inside = PurePosixPath(file.member.rstrip("/"))
    if inside.parts[:1] == ("package",):
        inside = PurePosixPath(*inside.parts[1:])
    safe_package = file.package.replace("/", "+")
    return root / "npm" / f"{safe_package}-{file.version}" / Path(*inside.parts)


def cached(file: NpmFile, root: Path | None = None) -> Path | None:
    """The fetched file, or None when it has not been fetched (nothing is downloaded)."""
    found = place(file, root)
    return found if found.exists() else None


def fetch(
    file: NpmFile,
    root: Path | None = None,
    *,
    say: Callable[[str], None] | None = None,
) -> Path:
    """``file``, downloaded, checked and extracted once; FetchError if it cannot be."""

    def make(target: Path) -> None:
        import tarfile

        url = file.url(os.environ.get(REGISTRY_VARIABLE) or REGISTRY)
        mirror = f"set {REGISTRY_VARIABLE} to a mirror"
        tarball = transfer.checked_download(url, file.integrity, file.label, mirror, say)
        try:
            with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
                entries = (
                    (entry.name, functools.partial(archive.extractfile, entry))
                    for entry in archive
                    if entry.isfile()
                )
                transfer.unpack(entries, file.member, target, file.label)
        except (tarfile.TarError, EOFError) as error:
            raise FetchError(f"the tarball of {file.label} cannot be read: {error}") from error

    return transfer.once(place(file, root), make)
