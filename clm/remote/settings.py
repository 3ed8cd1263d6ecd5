"""Where the shared cache is, which namespaces a build trusts, and where it may write.

Each setting comes from the environment, else from the course spec:

    CLM_CACHE_REMOTE  cache-remote  the store's URL (unset: no shared cache)
    CLM_CACHE_TRUST   cache-trust   namespaces to read, comma-separated (ci-main)
    CLM_CACHE_PUSH    cache-push    the namespace to write (unset: write nothing)
    CLM_CACHE_KEY     cache-key     the private signing key (clm-cache.key)
    CLM_CACHE_TIMEOUT               seconds a network store may keep a build waiting (10)

Main-branch CI sets ``CLM_CACHE_PUSH=ci-main`` and holds the key; pull
requests read ``ci-main`` and push nowhere, or to ``pr-<number>``; authors
read. The store's permissions are what keeps an untrusted builder out of a
namespace; the signature is what keeps a copied or edited entry out of a
build where the permissions are weak.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from clm.errors import CourseError
from clm.remote.network import DEFAULT_TIMEOUT, TIMEOUT_VARIABLE
from clm.remote.signing import PRIVATE_FILE, PUBLIC_FILE

DEFAULT_TRUST = ("ci-main",)
VARIABLES = {
    "remote": "CLM_CACHE_REMOTE",
    "trust": "CLM_CACHE_TRUST",
    "push": "CLM_CACHE_PUSH",
    "key": "CLM_CACHE_KEY",
}
SCHEMES = ("file://", "s3://", "gs://", "gcs://", "https://", "http://", "memory://")
READ_ONLY_SCHEMES = ("https://", "http://")
# The whole name must match (fullmatch): "ci-main\n" is no namespace, though $ matches
# before a final newline.
NAMESPACE = re.compile(r"[a-z0-9][a-z0-9._-]{0,62}")


@dataclass(frozen=True)
class Setting:
    """A value as the spec gives it, with the line it is on."""

    value: str | tuple[str, ...]
    line: int | None = None


@dataclass(frozen=True)
class RemoteSettings:
    url: str
    trust: tuple[str, ...]
    push: str | None  # None: this build writes nothing
    key_file: Path | None  # the private key, when it pushes
    public_key: Path  # clm-cache.pub at the course root: what every entry is checked with
    timeout: float = DEFAULT_TIMEOUT  # seconds a network store may keep the build waiting


def resolve(
    root: Path, spec: dict[str, Setting], spec_file: str, environ=os.environ
) -> RemoteSettings | None:
    """The course's shared-cache settings (None without a store); CourseError for a bad one,
    naming the variable or the spec line it came from."""

    def get(name: str) -> tuple[str | tuple[str, ...] | None, str]:
        variable = VARIABLES[name]
        if environ.get(variable):
            return environ[variable], variable
        given = spec.get(name)
        if given is None:
            return None, variable
        where = f"{spec_file}:{given.line}" if given.line else spec_file
        return given.value, f"{where}: cache-{name}"

    url, url_origin = get("remote")
    if not url:
        return None
    assert isinstance(url, str)
    url = _url(url, url_origin, root)
    trust_value, trust_origin = get("trust")
    if trust_value is None:
        trust = DEFAULT_TRUST
    elif isinstance(trust_value, str):
        trust = tuple(part.strip() for part in trust_value.split(",") if part.strip())
    else:
        trust = trust_value
    for namespace in trust:
        check_namespace(namespace, trust_origin)
    push_value, push_origin = get("push")
    push = str(push_value) if push_value else None
    if push is not None:
        check_namespace(push, push_origin)
        if url.startswith(READ_ONLY_SCHEMES):
            raise CourseError(
                f"{push_origin}: the store {url} is read-only (https), so nothing can be "
                f"pushed to it; unset the push namespace, or push to a file://, s3:// or gs:// store"
            )
    key_value, key_origin = get("key")
    key_file = signing_key(root, str(key_value) if key_value else None)
    if push is not None and not key_file.is_file():
        raise CourseError(
            f"{push_origin}: pushing to namespace '{push}' needs the private signing key, and "
            f"{key_file} does not exist ({key_origin}); make a key pair with `clm cache keygen`, "
            "or give the CI secret's path"
        )
    timeout = _timeout(environ.get(TIMEOUT_VARIABLE))
    return RemoteSettings(url, trust, push, key_file if push else None, root / PUBLIC_FILE, timeout)


def signing_key(root: Path, given: str | None) -> Path:
    """The private signing key: ``given`` (CLM_CACHE_KEY or the spec's cache-key), relative
    to the course ``root``; without one, clm-cache.key at the root."""
    key_file = Path(given) if given else root / PRIVATE_FILE
    return key_file if key_file.is_absolute() else root / key_file


def _timeout(given: str | None) -> float:
    if not given:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(given)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 86400:
        raise CourseError(
            f"{TIMEOUT_VARIABLE}={given!r} is no deadline; give the seconds a store may take "
            f"to answer, such as {DEFAULT_TIMEOUT:g} (the default) or 30"
        )
    return seconds


def _url(url: str, origin: str, root: Path) -> str:
    if "://" not in url:
        # A plain path is a folder, relative to the course root.
        folder = Path(url) if Path(url).is_absolute() else root / url
        return f"file://{folder.resolve()}"
    if not url.startswith(SCHEMES):
        raise CourseError(
            f"{origin}: {url!r} is no store clm can use; give file:///folder, s3://bucket/prefix, "
            "gs://bucket/prefix or a read-only https:// URL"
        )
    return url.rstrip("/")


def check_namespace(namespace: str, origin: str) -> None:
    if not NAMESPACE.fullmatch(namespace):
        raise CourseError(
            f"{origin}: {namespace!r} is no namespace; use 1 to 63 lower-case letters, digits, "
            "'.', '_' and '-', starting with a letter or digit, such as ci-main, pr-123 or user-ann"
        )
