"""Running real builds in subprocesses, as an author would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The checkout these tests belong to: its clm is the one under test, also in a
# worktree whose clm is not the one installed in the virtual environment.
CHECKOUT = Path(__file__).resolve().parents[2]
# Every process these helpers start carries this test session's tag in its environment,
# and so does every process it starts (kernels, Dask workers): a test counts those, never
# the processes other work on the machine runs.
TAG_VARIABLE = "CLM_TEST_SESSION"
SESSION_TAG = f"{os.getpid()}-{os.urandom(6).hex()}"


def run_clm(
    cwd: Path, *args: str, timeout: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "clm", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**_env(), **(env or {})},
    )


def run_doit(cwd: Path, *args: str, python: str = sys.executable, timeout: float = 900):
    return subprocess.run(
        [python, "-m", "doit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(),
    )


def executed_tasks(result: subprocess.CompletedProcess) -> list[str]:
    """Task names doit reports as executed (the 'executed-only' reporter prints '.  name')."""
    return [line[3:] for line in result.stdout.splitlines() if line.startswith(".  ")]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(CHECKOUT)
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    env[TAG_VARIABLE] = SESSION_TAG
    return env


def started_here(pid: int) -> bool:
    """Whether process ``pid`` was started by this test session (or below one it started)."""
    import psutil

    try:
        return psutil.Process(pid).environ().get(TAG_VARIABLE) == SESSION_TAG
    except (psutil.Error, OSError):
        return False


def output_files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def work_counts(result: subprocess.CompletedProcess) -> dict[str, int]:
    """The numbers of the build's closing 'clm: …' line."""
    import re

    line = next(
        line
        for line in result.stdout.splitlines()
        if line.startswith("clm: ") and " ran deck code " in line
    )
    cluster = re.search(r"(\d+) executions? ran on the cluster, ", line)
    if cluster:
        line = line.replace(cluster.group(0), "")
    shared = re.search(r"(\d+) results? fetched from the shared cache, ", line)
    if shared:
        line = line.replace(shared.group(0), "")
    words = r"kernels?|spares?|executions?|outputs?|diagrams?|JVMs?|browsers?|renders?"
    numbers = [int(n) for n in re.findall(rf"(\d+) (?:{words})\b", line)]
    names = ("kernels", "spares", "cached", "written")
    names += ("rendered", "jvms", "browsers", "renders-cached")
    return {
        **dict(zip(names, numbers, strict=True)),
        "cluster": int(cluster[1]) if cluster else 0,
        "shared": int(shared[1]) if shared else 0,
    }


def without_coverage_noise(output: str) -> str:
    """A build's output without what coverage.py itself prints when it measures the build.

    A process that ends while coverage.py saves its data (a stopped build ends
    within half a second) can make coverage report an exception of its own
    data file: "Exception ignored in: <generator object SqliteDb.execute …>"
    with its traceback. That is the measurement's, not clm's.
    """
    kept: list[str] = []
    skipping = False
    for line in output.splitlines(keepends=True):
        if line.startswith("Exception ignored in: <generator object SqliteDb."):
            skipping = True
            continue
        if skipping:
            if line.startswith(("Traceback (most recent call last):", "  ")):
                continue
            skipping = False
            if line.startswith("sqlite3.ProgrammingError:"):
                continue
        kept.append(line)
    return "".join(kept)
