"""What a kernel other than ipykernel is made of: its kernelspec and its runtime's version.

The parts of its fingerprint (clm.execute.fingerprints), as the package list
is for Python: a new JDK or Deno may change what the code prints. The
kernelspec is found where Jupyter looks (``jupyter --paths``), without
importing jupyter_client; the runtime (the kernelspec's program, ``java``
or ``deno``) is asked for its version once, and what it said is kept in the
state with the modification times of the files it came from, so a later
build only stats them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from clm.execute.environment import file_stat
from clm.languages import KERNEL_NAME

MISSING_PREFIX = "missing:"  # the fingerprint of a kernelspec that is not installed
VERSION_TIMEOUT = 60.0  # seconds; a cold JVM answers in well under one


def kernelspec_folder(kernel: str) -> Path | None:
    """The folder of the kernelspec named ``kernel`` that Jupyter would use, if any."""
    from jupyter_core.paths import jupyter_path

    for folder in jupyter_path("kernels"):
        candidate = Path(folder) / kernel
        if (candidate / "kernel.json").is_file():
            return candidate
    return None


def installed_kernels() -> list[str]:
    """The names of every kernelspec Jupyter finds (ipykernel's python3 among them)."""
    from jupyter_core.paths import jupyter_path

    found = {KERNEL_NAME}
    for folder in jupyter_path("kernels"):
        try:
            entries = os.scandir(folder)
        except OSError:
            continue
        with entries:
            found.update(e.name for e in entries if (Path(e.path) / "kernel.json").is_file())
    return sorted(found)


def is_missing(fingerprint: str) -> bool:
    return fingerprint.startswith(MISSING_PREFIX)


def missing(kernel: str) -> str:
    """The fingerprint of a kernelspec that is not installed."""
    return f"{MISSING_PREFIX}{kernel}"


def stamp(kernel: str) -> str:
    """What changes when the kernelspec or its program is replaced (a few stat calls)."""
    folder = kernelspec_folder(kernel)
    if folder is None:
        return json.dumps([kernel, None])
    files = sorted(
        (entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
        for entry in os.scandir(folder)
        if entry.is_file()
    )
    program = program_of(folder)
    return json.dumps([kernel, str(folder), files, program, file_stat(program)])


def contents(folder: Path) -> tuple[list[tuple[str, bytes]], str]:
    """What a kernelspec's fingerprint is made of: (file name, SHA-256) of each of its
    files, and its program's version (one run of the program)."""
    files = [
        (path.name, hashlib.sha256(path.read_bytes()).digest())
        for path in sorted(p for p in folder.iterdir() if p.is_file())
    ]
    return files, version_of(program_of(folder))


def fingerprint_of(kernel: str, files: list[tuple[str, bytes]], version: str) -> str:
    digest = hashlib.sha256(kernel.encode())
    for name, file_digest in files:
        digest.update(name.encode())
        digest.update(file_digest)
    digest.update(version.encode())
    return digest.hexdigest()[:32]


def version_of(program: str | None) -> str:
    """What ``program --version`` prints (the JDK's and Deno's version lines)."""
    if program is None:
        return "no program"
    from clm.system.processes import run_within  # psutil: only when a program is asked

    try:
        done = run_within(
            [program, "--version"],
            VERSION_TIMEOUT,
            text=True,
            errors="replace",  # a program's banner need not be UTF-8
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"cannot run: {error}"
    return (done.stdout + done.stderr).strip()


def program_of(folder: Path) -> str | None:
    """The real file of the program the kernelspec starts (its argv[0], found on PATH)."""
    try:
        argv = json.loads((folder / "kernel.json").read_text(encoding="utf-8"))["argv"]
        found = shutil.which(argv[0])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None
    return os.path.realpath(found) if found else None
