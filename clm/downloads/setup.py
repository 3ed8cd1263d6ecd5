"""``clm setup``: each pinned file fetched unless it is there, with where it went."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from clm.downloads import npm


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
    files: Iterable[npm.NpmFile], say: Callable[[str], None] | None = None
) -> list[Outcome]:
    """Fetch each of ``files`` not yet in the cache; a failure does not stop the others."""
    outcomes = []
    for file in files:
        there = npm.cached(file)
        if there is not None:
            outcomes.append(Outcome(file.label, there, fetched=False))
            continue
        try:
            outcomes.append(Outcome(file.label, npm.fetch(file, say=say), fetched=True))
        except npm.FetchError as error:
            outcomes.append(Outcome(file.label, None, fetched=False, error=str(error)))
    return outcomes
