"""The results cache seam: what was computed once, found again by its content key.

Three kinds of results are kept: what a deck's code printed (``executions``,
keyed by everything that decides it, see clm.execute.keys), how its code
failed when a cell raised (``failures``, under the same key: a failure of the
code is its result too, until the code, an input, the kernel or the
environment changes) and the pictures a diagram source renders to
(``renders``, see clm.diagrams.render). The build
talks to a ``ResultsCache`` only, with bytes in and out, so that another
store (a shared folder, an object store) can stand in for the course's SQLite
file (clm.state.cache) without the build noticing. The codecs here define the
bytes every store holds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

EXECUTIONS = "executions"
RENDERS = "renders"
FAILURES = "failures"
KINDS = (EXECUTIONS, RENDERS, FAILURES)
T = TypeVar("T")


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


@dataclass(frozen=True)
class KeptFailure:
    """How an execution failed because a cell raised, and when that run was (UTC)."""

    cell_index: int | None  # counts all the notebook's cells
    error: str  # "ZeroDivisionError: division by zero"
    cell_line: int | None  # the line inside the cell of the last frame there
    ran: str  # ISO 8601, UTC: "2026-12-08T09:15:02Z"

    @property
    def ran_on(self) -> str:
        """When the run was, as a report says it: "2026-12-08 09:15 UTC"."""
        return f"{self.ran[:10]} {self.ran[11:16]} UTC"


def utc_now(now: float | None = None) -> str:
    """``now`` (default: this moment) as KeptFailure.ran writes it."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))


def encode_failure(failure: KeptFailure) -> bytes:
    return json.dumps(
        {
            "cell_index": failure.cell_index,
            "error": failure.error,
            "cell_line": failure.cell_line,
            "ran": failure.ran,
        },
        sort_keys=True,
    ).encode()


def decode_failure(data: bytes) -> KeptFailure:
    """Inverse of encode_failure; ValueError for bytes that are not such a failure."""
    fields = json.loads(data)
    try:
        index, line = fields["cell_index"], fields["cell_line"]
        error, ran = fields["error"], fields["ran"]
    except (TypeError, KeyError):
        raise ValueError("not a kept failure") from None
    numbers_or_none = all(value is None or type(value) is int for value in (index, line))
    if not (numbers_or_none and isinstance(error, str) and isinstance(ran, str)):
        raise ValueError("not a kept failure")
    return KeptFailure(index, error, line, ran)


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
    return _decoded(cache, EXECUTIONS, key, decode_outputs)


def cached_failure(cache: ResultsCache, key: str) -> KeptFailure | None:
    """The failure kept under ``key``; a damaged entry is dropped and counts as a miss."""
    return _decoded(cache, FAILURES, key, decode_failure)


def cached_files(cache: ResultsCache, key: str) -> list[tuple[str, bytes]] | None:
    """The render files stored under ``key``; a damaged entry is dropped and counts as a miss."""
    return _decoded(cache, RENDERS, key, unpack_files)


def _decoded(cache: ResultsCache, kind: str, key: str, decode: Callable[[bytes], T]) -> T | None:
    data = cache.get(kind, key)
    if data is None:
        return None
    try:
        return decode(data)
    except (ValueError, TypeError):  # TypeError: a render blob whose index is damaged
        cache.drop(kind, key)
        return None
