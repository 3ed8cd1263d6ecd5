"""Signing and checking the entries of the shared store, in one place.

An entry says which blob holds the result of one key in one namespace; the
course's private key signs it, and a reader trusts it only when the course's
public key verifies it for the place it was read from. The build
(clm.remote.layered) and the ``clm cache`` commands (clm.remote.operations)
both sign and check through here; each words what it finds for its readers.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from enum import Enum

from clm.remote.signing import Signer, Verifier
from clm.remote.store import Entry, digest_of


class Flaw(Enum):
    """Why an entry is not trusted."""

    MISPLACED = "read from another namespace's or key's place"
    UNSIGNED = "not signed"
    FOREIGN_KEY = "signed with another key"


def signed_entry(signer: Signer, namespace: str, kind: str, key: str, data: bytes) -> Entry:
    """The signed entry of ``data`` as the result of ``key`` in ``namespace``."""
    return _signed(signer, Entry(key, kind, namespace, digest_of(data), len(data), time.time()))


def moved_entry(signer: Signer, entry: Entry, namespace: str) -> Entry:
    """``entry`` placed in another namespace, signed anew."""
    return _signed(
        signer, Entry(entry.key, entry.kind, namespace, entry.blob, entry.size, time.time())
    )


def _signed(signer: Signer, entry: Entry) -> Entry:
    return dataclasses.replace(entry, signature=signer.sign(entry.payload()))


def flaw_of(entry: Entry, verifier: Verifier, in_its_place: bool) -> Flaw | None:
    """Why ``entry`` is not to be trusted, or None when it is.

    ``in_its_place``: whether the entry names the namespace (and kind and key)
    of the place it was read from; a signed entry copied elsewhere is not
    trusted there.
    """
    if not in_its_place:
        return Flaw.MISPLACED
    if not entry.signature:
        return Flaw.UNSIGNED
    if not verifier.verify(entry.payload(), entry.signature):
        return Flaw.FOREIGN_KEY
    return None


def blob_sizes(entries: Iterable[Entry]) -> dict[str, int]:
    """The blobs ``entries`` name, each with the most bytes to read of it."""
    sizes: dict[str, int] = {}
    for entry in entries:
        sizes[entry.blob] = max(entry.size, sizes.get(entry.blob, 0))
    return sizes


def holds_blob(entry: Entry, data: bytes) -> bool:
    """Whether ``data`` is the blob ``entry`` names: its size and its digest."""
    return len(data) == entry.size and digest_of(data) == entry.blob
