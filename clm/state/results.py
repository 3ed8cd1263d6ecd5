"""The results cache seam: what was computed once, found again by its content key.

Two kinds of results are kept: what a deck's code printed (``executions``,
keyed by everything that decides it, see clm.execute.keys) and the pictures a
diagram source renders to (``renders``, see clm.diagrams.render). The build
talks to a ``ResultsCache`` only, with bytes in and out, so that another
store (a shared folder, an object store) can stand in for the course's SQLite
file (clm.state.cache) without the build noticing. The codecs here define the
bytes every store holds.
"""

from __future__ import annotations

import json
from typing import Protocol

EXECUTIONS = "executions"
RENDERS = "renders"
KINDS = (EXECUTIONS, RENDERS)


class ResultsCache(Protocol):
    """A store of results by kind and key; a miss is None, never an error."""

    def get(self, kind: str, key: str) -> bytes | None:
        """The result stored under ``key``, or None; marks it as used (for pruning)."""
        ...

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Store a result; one already stored under ``key`` is replaced."""
        ...

    def drop(self, kind: str, key: str) -> None:
        """Forget a result that turned out unusable, so that it is computed again."""
        ...

    def contains(self, kind: str, key: str) -> bool:
        """Whether a result is stored, without marking it as used (for reports)."""
        ...


def encode_outputs(outputs: list) -> bytes:
    """The outputs of an execution, one ``[outputs, execution_count]`` per code cell."""
    return json.dumps(outputs, sort_keys=True).encode()


def decode_outputs(data: bytes) -> list:
    """Inverse of encode_outputs; ValueError for bytes that are not such a list."""
    outputs = json.loads(data)
    if not isinstance(outputs, list):
        raise ValueError("not a list of cell outputs")
    return outputs


def pack_files(files: list[tuple[str, bytes]]) -> bytes:
    """Render files as one blob: a JSON index of names and sizes, a newline, the bytes."""
    index = json.dumps([[name, len(data)] for name, data in files]).encode()
    return b"\n".join([index, *(data for _, data in files)])


def unpack_files(blob: bytes) -> list[tuple[str, bytes]]:
    """Inverse of pack_files; ValueError or TypeError for a damaged blob."""
    index, _, rest = blob.partition(b"\n")
    files, position = [], 0
    for name, size in json.loads(index):
        files.append((name, rest[position : position + size]))
        position += size + 1
    return files


def cached_outputs(cache: ResultsCache, key: str) -> list | None:
    """The outputs stored under ``key``; a damaged entry is dropped and counts as a miss."""
    data = cache.get(EXECUTIONS, key)
    if data is None:
        return None
    try:
        return decode_outputs(data)
    except ValueError:
        cache.drop(EXECUTIONS, key)
        return None


def cached_files(cache: ResultsCache, key: str) -> list[tuple[str, bytes]] | None:
    """The render files stored under ``key``; a damaged entry is dropped and counts as a miss."""
    data = cache.get(RENDERS, key)
    if data is None:
        return None
    try:
        return unpack_files(data)
    except (ValueError, TypeError):
        cache.drop(RENDERS, key)
        return None
