"""Ed25519 signatures of the remote cache's entries.

The course repository holds the public key (``clm-cache.pub`` at its root,
committed), with which every build checks every entry it reads; the private
key (``clm-cache.key``, never committed: a CI secret) signs the entries a
trusted build pushes. An entry is signed over its key, kind, namespace and
blob digest, so it cannot be moved to another namespace or made to name
another blob. Needs ``cryptography`` (``pip install 'clm[shared-cache]'``).
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

from clm.errors import CourseError

PRIVATE_FILE = "clm-cache.key"
PUBLIC_FILE = "clm-cache.pub"
PUBLIC_PREFIX = "clm-cache-ed25519 "  # the public key file: this and the key in base64
INSTALL = "pip install 'clm[shared-cache]'"
KEY_LIMIT = 64 << 10  # a PEM Ed25519 key is some 120 bytes


def _crypto():
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        raise CourseError(
            f"signing the shared cache needs the cryptography package: {INSTALL}"
        ) from None
    return serialization, ed25519


def keygen(root: Path) -> tuple[Path, Path]:
    """Write a new key pair at ``root``; CourseError rather than replace an existing one."""
    serialization, ed25519 = _crypto()
    private_path, public_path = root / PRIVATE_FILE, root / PUBLIC_FILE
    for path in (private_path, public_path):
        if path.exists():
            raise CourseError(
                f"{path} exists already; a new key would orphan every entry signed with it. "
                "Remove both files first if that is what you want"
            )
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(private)
    public_path.write_text(PUBLIC_PREFIX + base64.b64encode(public).decode() + "\n")
    return private_path, public_path


def exposed_key_warning(path: Path, mode: int, posix: bool = os.name == "posix") -> str | None:
    """A warning for a private key that every user of the machine may write (POSIX modes
    only: on Windows the file's ACL decides, which ``mode`` does not show).

    Signing with it stays safe for readers, who check each entry with the committed
    public key; but anybody could swap it, and then every entry pushed is rejected."""
    if not posix or not mode & stat.S_IWOTH:
        return None
    return (
        f"clm: warning: {path} (the shared cache's signing key) may be written by every user "
        f"of this machine, who could swap it for theirs; make it private: chmod 600 {path}"
    )


def _read_key(path: Path) -> tuple[bytes, int]:
    """The key file's bytes and mode; OSError for what is no small regular file (a FIFO
    there is never waited for)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb", buffering=0) as file:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(0, "it is not a regular file")
        data = file.read(KEY_LIMIT + 1)
    if len(data) > KEY_LIMIT:
        raise OSError(0, f"it is longer than {KEY_LIMIT:,} bytes, no key")
    return data, mode


class Signer:
    """Signs with the private key in a ``clm-cache.key`` file; ``warnings`` says what is
    unsafe about the file."""

    def __init__(self, path: Path):
        serialization, ed25519 = _crypto()
        try:
            data, mode = _read_key(path)
            key = serialization.load_pem_private_key(data, password=None)
        except OSError as error:
            raise CourseError(
                f"{path}: cannot read the cache's signing key ({error.strerror})"
            ) from None
        except ValueError:
            raise CourseError(f"{path}: not a signing key written by `clm cache keygen`") from None
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise CourseError(f"{path}: not an Ed25519 key (write one with `clm cache keygen`)")
        self._key = key
        self.warnings = [text for text in [exposed_key_warning(path, mode)] if text]

    def sign(self, payload: bytes) -> str:
        return base64.b64encode(self._key.sign(payload)).decode()


class Verifier:
    """Checks signatures with the public key of a ``clm-cache.pub`` file."""

    def __init__(self, path: Path):
        _, ed25519 = _crypto()
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise CourseError(
                f"{path}: cannot read the cache's public key ({error.strerror})"
            ) from None
        try:
            if not text.startswith(PUBLIC_PREFIX):
                raise ValueError
            raw = base64.b64decode(text[len(PUBLIC_PREFIX) :], validate=True)
            self._key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        except ValueError:
            raise CourseError(
                f"{path}:1: not a public key written by `clm cache keygen` (it reads "
                f"'{PUBLIC_PREFIX}' and the key in base64)"
            ) from None

    def verify(self, payload: bytes, signature: str) -> bool:
        from cryptography.exceptions import InvalidSignature

        try:
            self._key.verify(base64.b64decode(signature, validate=True), payload)
        except (InvalidSignature, ValueError, TypeError):
            return False
        return True
