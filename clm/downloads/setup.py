"""``clm setup``: each pinned file fetched unless it is there, with where it went."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from clm.downloads import npm, pypi, transfer
from clm.downloads.pinned import Pinned


@dataclass(frozen=True)
class Outcome:
    label: str  # package@version
    path: Path | None  # where the file is; None when it could not be fetched
    fetched: bool  # downloaded by this call (False: it was there already)
    error: str | None = None

    def describe(self) -> str:
        if self.error is not None:
            return f"error: {self.error}"
        if self.fetched:
            return f"fetched {self.label} into {self.path}"
        return f"{self.label} is already in {self.path}"


def fetch_all(
    files: Iterable[Pinned], say: Callable[[str], None] | None = None
) -> Iterator[Outcome]:
    """Fetch each of ``files`` not yet in the cache, one outcome as each is done; a
    failure does not stop the others."""
    for file in files:
        registry = pypi if isinstance(file, pypi.WheelFolder) else npm
        there = registry.cached(file)
        if there is not None:
            yield Outcome(file.label, there, fetched=False)
            continue
        try:
            yield Outcome(file.label, registry.fetch(file, say=say), fetched=True)
        except transfer.FetchError as error:
            yield Outcome(file.label, None, fetched=False, error=str(error))
