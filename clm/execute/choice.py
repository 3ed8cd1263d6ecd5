"""Where a build runs its decks' code: here, or on a Dask scheduler (``--executor``).

Read before anything else of a build, so a module of its own: the Dask side
(clm.execute.cluster) is imported only when a cluster is named.
"""

from __future__ import annotations

from dataclasses import dataclass

from clm.errors import CourseError

ENVIRONMENT_VARIABLE = "CLM_EXECUTOR"
# How clm names a scheduler, and what Dask calls the same address.
SCHEMES = {"dask://": "tcp://", "dask+tls://": "tls://", "tcp://": "tcp://", "tls://": "tls://"}


@dataclass(frozen=True)
class ExecutorChoice:
    """Where decks' code runs: here (``address`` None), or on the Dask scheduler named."""

    address: str | None = None  # as Dask spells it: tcp://HOST:PORT, tls://HOST:PORT
    fallback: bool = False  # an unreachable scheduler means: run here instead

    @property
    def label(self) -> str:
        return "local" if self.address is None else self.address


def parse_executor(text: str | None, origin: str = "--executor") -> ExecutorChoice:
    """``local``, ``dask://HOST:PORT`` or ``dask://HOST:PORT,fallback=local`` (also
    ``dask+tls://``); CourseError naming ``origin`` for anything else."""
    if text is None or text.strip() in ("", "local"):
        return ExecutorChoice()
    address, *options = (part.strip() for part in text.split(","))
    fallback = False
    for option in options:
        if option != "fallback=local":
            raise CourseError(
                f"{origin}: unknown option {option!r} in {text!r}; the one option is "
                "fallback=local (run here when the scheduler cannot be reached)"
            )
        fallback = True
    for scheme, dask_scheme in SCHEMES.items():
        if address.startswith(scheme):
            host, _, port = address[len(scheme) :].rpartition(":")
            if host and port.isdigit() and "/" not in host:
                return ExecutorChoice(f"{dask_scheme}{host}:{port}", fallback)
            break
    raise CourseError(
        f"{origin}: {text!r} names no executor; say local, or dask://HOST:PORT for a Dask "
        "scheduler (dask+tls://HOST:PORT with TLS), optionally followed by ,fallback=local"
    )
