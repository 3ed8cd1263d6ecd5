"""Downloading a pinned archive, checking it and unpacking what is wanted of it, once.

Shared by the registries clm fetches from (npm, PyPI). A download is checked
against the digest written in clm before anything of it is kept; an unpacked
file or folder is written beside its place and renamed into it, so the cache
never holds half of one, and two processes fetching at once do it one after
the other.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from clm.state import lock

TIMEOUT_SECONDS = 60.0
CHUNK = 1 << 16

# An archive's regular files: each name (as the archive writes it) and how to read it.
Entries = Iterable[tuple[str, Callable[[], BinaryIO]]]


class FetchError(Exception):
    """A pinned file could not be fetched; the message says what to do."""


def once(target: Path, make: Callable[[Path], None]) -> Path:
    """``target``, made by ``make(target)`` unless it exists, by one process at a time."""
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with lock.holding(target.parent / f".{target.name}.lock", remove=True):
        if not target.exists():  # else another process made it while we waited
            make(target)
    return target


def checked_download(
    url: str, integrity: str, label: str, mirror: str, say: Callable[[str], None] | None
) -> bytes:
    """The body at ``url``, said as it starts and refused unless its digest is ``integrity``."""
    if say is not None:
        say(f"clm: fetching {label} from {url}")
    body = download(url, label, mirror)
    check(body, integrity, label, url)
    return body


def download(url: str, label: str, mirror: str) -> bytes:
    """The body at ``url``; ``mirror`` says how to name another place to download from."""
    # Here, not at the top: urllib.request (http, ssl, email) would weigh on every
    # build that only asks where the pinned files are.
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            data = io.BytesIO()
            while chunk := response.read(CHUNK):
                data.write(chunk)
            expected = response.headers.get("Content-Length")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise FetchError(
            f"could not download {label} from {url}: {reason}. Check the network "
            f"connection (or {mirror}) and try again"
        ) from error
    body = data.getvalue()
    if expected is not None and expected.isdigit() and int(expected) != len(body):
        raise FetchError(
            f"the download of {label} from {url} broke off after {len(body)} of "
            f"{expected} bytes: try again"
        )
    return body


def check(body: bytes, integrity: str, label: str, url: str) -> None:
    """Refuse ``body`` unless its digest is ``integrity`` ("sha512-<base64>", npm's form)."""
    algorithm, _, wanted = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, body).digest()).decode("ascii")
    if digest != wanted:
        raise FetchError(
            f"{url} is not the pinned {label}: its {algorithm} checksum is {digest}, "
            f"clm expects {wanted}. The registry (or a proxy) served another file; "
            "nothing was kept"
        )


def unpack(entries: Entries, member: str, target: Path, label: str) -> None:
    """Write ``member`` of the archive — a file, or with a trailing ``/`` a folder — as
    ``target``, whole or not at all."""
    wanted = member.rstrip("/")
    folder = member.endswith("/")
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        found = False
        for name, read in entries:
            inside = _inside(name.lstrip("./"), wanted, folder)
            if inside is None:
                continue
            found = True
            destination = scratch.joinpath(*PurePosixPath(inside).parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with read() as source, open(destination, "wb") as written:
                shutil.copyfileobj(source, written)
        if not found:
            raise FetchError(
                f"{label} has no {member}: the pin in clm names a file the "
                "package does not ship (a bug in clm: please report it)"
            )
        shipped = (
            scratch / "content" if folder else scratch.joinpath(*PurePosixPath(wanted).parts[-1:])
        )
        os.replace(shipped, target)
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
