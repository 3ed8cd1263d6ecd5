"""What the Python environment the kernels run in is made of, for its fingerprint.

Part of every execution's cache key (clm.execute.fingerprints computes it): a
new package version may change what the code prints. Listing the installed distributions costs about 70 ms, so the
fingerprint is kept in the state (clm.state.verdicts), together with the
modification times of the folders on ``sys.path``, which change whenever a
package is installed, upgraded or removed. Paths are not part of the fingerprint itself: the same
packages in a virtual environment elsewhere give the same fingerprint.

Decks run in clm's own environment unless the spec names a course's own
interpreter (``kernel-python``). That one is asked once, in a subprocess
(clm.execute.probe), for its version, packages and folders, and what it said
is kept as an ``Interpreter``; a later build only stats the interpreter and
those folders to know the description still holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from clm.execute import probe

# What the kernels (and the probe) inherit that changes their sys.path.
PATH_VARIABLES = ("PYTHONPATH", "PYTHONHOME", "PYTHONNOUSERSITE", "PYTHONUSERBASE")
PROBE_TIMEOUT = 120.0  # seconds; a cold interpreter on a slow disk lists packages in ~1 s


def path_stamp() -> str:
    """What changes whenever a package is installed, upgraded or removed (cheap to compute).

    The metadata folders (``name-version.dist-info`` and the like) in each folder
    the kernels import from: what the fingerprint lists, by name and version
    (clm.execute.probe.distributions). Not the folders' modification times: a
    source checkout on the path changes its own with every file written there
    (coverage's data files, an editor's), which is no change of the environment.
    """
    stamps: list = [sys.version]
    for folder in probe.environment_folders():
        try:
            with os.scandir(folder) as entries:
                names = sorted(e.name for e in entries if e.name.endswith(_METADATA_SUFFIXES))
        except NotADirectoryError:  # a zip on the path: the file itself
            names = [file_stat(folder)]
        except OSError:
            continue  # none there (yet): it adds none to the fingerprint
        # A folder without any (a script's own, `clm`'s bin/) adds none either: left out,
        # so that `clm build` and `python -m doit` stamp the same environment.
        if names:
            stamps.append((folder, names))
    return json.dumps(stamps)


# What installed distributions leave in a folder on the path.
_METADATA_SUFFIXES = (".dist-info", ".egg-info", ".egg")


def own() -> dict:
    """What clm's own interpreter says of itself, as the probe has another say it: its
    implementation, version and installed distributions (about 70 ms)."""
    return {
        "implementation": platform.python_implementation(),
        "version": sys.version,
        "packages": probe.distributions(),
    }


def fingerprint_of(implementation: str, version: str, packages: list[str]) -> str:
    """The interpreter and its installed distributions, hashed (see clm.execute.fingerprints)."""
    text = "\n".join([implementation, version, *packages])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class ProbeFailed(Exception):
    """The interpreter could not say what it is: it does not run, or is no Python."""


@dataclass(frozen=True)
class Interpreter:
    """What a course's interpreter said about its environment, as the state keeps it."""

    identity: str  # the interpreter file and the settings it read them under: see identity()
    stamps: tuple[tuple[str, int | None], ...]  # its folders' modification times then
    fingerprint: str
    version: str  # "3.12.3"
    ipykernel: str | None  # the version of its ipykernel; None: it has none

    def to_json(self) -> str:
        return json.dumps(
            [self.identity, self.stamps, self.fingerprint, self.version, self.ipykernel]
        )

    @classmethod
    def from_json(cls, text: str) -> Interpreter | None:
        """The kept description; None for one this clm cannot read (another version's)."""
        try:
            identity, stamps, fingerprint, version, ipykernel = json.loads(text)
            return cls(identity, tuple(map(tuple, stamps)), fingerprint, version, ipykernel)
        except (ValueError, TypeError):
            return None


def identity(python: str) -> str:
    """What decides an interpreter's folders, short of asking it (a few stat calls).

    The file itself (a virtual environment's python is a link to the real one,
    which a system upgrade replaces), the virtual environment's settings, and
    the variables that add to ``sys.path``.
    """
    real = os.path.realpath(python)
    facts: list = [python, real, file_stat(real)]
    for folder in (Path(python).parent, Path(python).parent.parent):
        facts.append(file_stat(str(folder / "pyvenv.cfg")))
    facts += [os.environ.get(name) for name in PATH_VARIABLES]
    return json.dumps(facts)


def file_stat(path: str | None) -> list | None:
    """What stat says of a file that changes when it is replaced or rewritten (None: none)."""
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns]


def still_current(kept: Interpreter, python: str) -> bool:
    """Whether ``kept`` still describes ``python``: nothing installed or replaced since."""
    folders = [folder for folder, _ in kept.stamps]
    return kept.identity == identity(python) and (
        tuple(map(tuple, probe.folder_stamps(folders))) == kept.stamps
    )


def describe(python: str) -> Interpreter:
    """Ask ``python`` for its version, packages and folders (one subprocess, 0.1–1 s).

    Raises ProbeFailed with what went wrong.
    """
    before = identity(python)  # before it answers: a change meanwhile shows next time
    said = ask(python)
    packages = said["packages"]
    try:
        return Interpreter(
            before,
            tuple(map(tuple, said["stamps"])),
            fingerprint_of(said["implementation"], said["version"], packages),
            said["version"].split()[0],
            next((p.split("==", 1)[1] for p in packages if p.startswith("ipykernel==")), None),
        )
    except (ValueError, TypeError, AttributeError):
        raise ProbeFailed("it does not answer like a Python interpreter") from None


def ask(python: str) -> dict:
    """What ``python`` says of itself (clm.execute.probe's description); ProbeFailed if
    it says nothing of use."""
    from clm.system.processes import run_within  # psutil: only when a program is asked

    # An empty working directory: `python -c` imports from it first, and a course
    # root may well hold a json.py.
    with tempfile.TemporaryDirectory(prefix="clm-probe-") as empty:
        try:
            # A wrapper script's child too ends at the timeout, not the wrapper alone.
            done = run_within(
                [python, "-c", Path(probe.__file__).read_text(encoding="utf-8")],
                PROBE_TIMEOUT,
                text=True,
                errors="replace",  # what a broken interpreter prints need not be UTF-8
                cwd=empty,
            )
        except OSError as error:
            raise ProbeFailed(f"it cannot be run ({error.strerror})") from None
        except subprocess.TimeoutExpired:
            raise ProbeFailed(f"it did not answer within {PROBE_TIMEOUT:g} s") from None
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise ProbeFailed(f"it fails to run Python code: {last}")
    # The probe's answer is its last line: a noisy startup may print before it.
    lines = done.stdout.strip().splitlines()
    try:
        said = json.loads(lines[-1] if lines else "")
        if not (
            isinstance(said["packages"], list)
            and isinstance(said["version"], str)
            and isinstance(said["implementation"], str)
            and isinstance(said["stamps"], list)
        ):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        printed = f" (it printed {_shortened(lines[0])!r})" if lines else ""
        raise ProbeFailed(f"it does not answer like a Python interpreter{printed}") from None
    return said


def _shortened(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
