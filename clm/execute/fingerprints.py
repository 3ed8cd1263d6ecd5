"""A kernel environment's fingerprint, computed here for the build and for a Dask worker.

Part of every execution's cache key: a new package or a new JDK may change
what the code prints. For ipykernel it is the Python environment's (clm's
own interpreter, or the course's ``kernel-python``, asked in a subprocess;
clm.execute.environment), for any other kernel its kernelspec and runtime
(clm.execute.runtimes).

Both callers keep what they computed and compute again only when the cheap
``stamp`` changed: the build in the state (clm.tasks.prepare,
clm.state.verdicts), a Dask worker in memory (clm.execute.cluster). Since
both compute it here, a worker's fingerprint is the one a build on its
machine would compute, and a result made there may be stored under the
build's key.
"""

from __future__ import annotations

from dataclasses import dataclass

from clm.execute import environment, runtimes
from clm.languages import is_ipykernel


@dataclass(frozen=True)
class Fingerprint:
    """A kernel environment's fingerprint, and what it is made of, spelt out."""

    value: str
    facts: tuple[str, ...]  # ``name==value`` lines, to say what differs between two machines


def stamp(kernel: str, python: str | None = None) -> str:
    """What changes whenever the fingerprint may have (a few stat calls); ``python`` is
    the course's interpreter for ipykernel (None: clm's own)."""
    if not is_ipykernel(kernel):
        return runtimes.stamp(kernel)
    return environment.path_stamp() if python is None else environment.identity(python)


def of_kernel(kernel: str, python: str | None = None) -> Fingerprint:
    """The fingerprint of what runs ``kernel`` here (70 ms to a few seconds).

    Raises environment.ProbeFailed when the course's interpreter cannot say
    what it is; the caller decides what that means.
    """
    if not is_ipykernel(kernel):
        return of_runtime(kernel)
    return of_python(environment.own() if python is None else environment.ask(python))


def of_python(said: dict) -> Fingerprint:
    """The fingerprint of a Python environment, from what it says of itself (clm.execute.probe)."""
    implementation, version, packages = said["implementation"], said["version"], said["packages"]
    return Fingerprint(
        environment.fingerprint_of(implementation, version, packages),
        (f"python=={implementation} {version.split()[0]}", *packages),
    )


def of_runtime(kernel: str) -> Fingerprint:
    """A non-Python kernel's fingerprint: its kernelspec's files and its runtime's version
    (asked once for both); a kernelspec that is not installed has one of its own, so that
    installing it later runs again what it executes."""
    folder = runtimes.kernelspec_folder(kernel)
    if folder is None:
        return Fingerprint(runtimes.missing(kernel), (f"kernelspec {kernel}==not installed",))
    files, version = runtimes.contents(folder)
    facts = [f"kernelspec {kernel}: {name}=={digest.hex()[:12]}" for name, digest in files]
    facts.append(f"{kernel} runtime=={version}")
    return Fingerprint(runtimes.fingerprint_of(kernel, files, version), tuple(facts))
