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


def run_doit(
    cwd: Path,
    *args: str,
    python: str = sys.executable,
    timeout: float = 900,
    env: dict[str, str] | None = None,
):
    return subprocess.run(
        [python, "-m", "doit", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**_env(), **(env or {})},
    )


def executed_tasks(result: subprocess.CompletedProcess) -> list[str]:
    """Task names doit reports as executed (the 'executed-only' reporter prints '.  name')."""
    return [line[3:] for line in result.stdout.splitlines() if line.startswith(".  ")]


WITHOUT_FORK = Path(__file__).parent / "without_fork"


def without_fork(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a Python whose multiprocessing is Windows': spawn only, no fork context
    and no os.fork (a sitecustomize); the platform's start method decides, not the suite's."""
    env = {**env, "PYTHONPATH": os.pathsep.join((str(WITHOUT_FORK), env["PYTHONPATH"]))}
    env.pop("CLM_START_METHOD", None)
    return env


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
    kept = re.search(r"(\d+) kept failures? reported without running, ", line)
    if kept:
        line = line.replace(kept.group(0), "")
    words = r"kernels?|spares?|executions?|outputs?|diagrams?|JVMs?|browsers?|renders?"
    numbers = [int(n) for n in re.findall(rf"(\d+) (?:{words})\b", line)]
    names = ("kernels", "spares", "cached", "written")
    names += ("rendered", "jvms", "browsers", "renders-cached")
    return {
        **dict(zip(names, numbers, strict=True)),
        "cluster": int(cluster[1]) if cluster else 0,
        "shared": int(shared[1]) if shared else 0,
        "kept": int(kept[1]) if kept else 0,
    }


def without_coverage_noise(output: str) -> str:
    """A build's output without the exceptions of coverage.py itself, which measures it.

    A process that ends while coverage.py saves its data (a worker stopped with
    SIGTERM, whose handler coverage installs, amid its asyncio loop) can make
    coverage report an exception of its own data file: "Exception ignored in:
    <generator object SqliteDb.execute …>", or asyncio's "Exception in callback …"
    with "no such table: coverage_schema". Such a report is the measurement's, not
    clm's: one whose traceback ends inside coverage's package is left out, with
    its heading and the tracebacks chained to it.
    """
    lines = output.splitlines(keepends=True)
    kept: list[str] = []
    at = 0
    while at < len(lines):
        heading = at
        while at < len(lines) and lines[at].startswith(REPORT_HEADINGS):
            at += 1
        if at < len(lines) and lines[at].startswith(TRACEBACK):
            after, coverages = _report(lines, at)
            if not coverages:
                kept.extend(lines[heading:after])
            at = after
            continue
        kept.extend(lines[heading : at + 1])
        at += 1
    return "".join(kept)


TRACEBACK = "Traceback (most recent call last):"
# What Python and asyncio print above a traceback that no one caught.
REPORT_HEADINGS = (
    "Exception ignored in: ",
    "Exception in callback ",
    "handle: <",
    "Error in atexit._run_exitfuncs:",
)
CHAINED = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)
COVERAGE_PACKAGE = f"{os.sep}coverage{os.sep}"


def _report(lines: list[str], at: int) -> tuple[int, bool]:
    """Where the report starting with the traceback at ``at`` ends (its chained
    tracebacks included), and whether one of its tracebacks ends in coverage.py."""
    coverages = False
    while True:
        at += 1  # past "Traceback ..."
        innermost = ""
        while at < len(lines) and lines[at].startswith("  "):
            if lines[at].lstrip().startswith('File "'):
                innermost = lines[at]
            at += 1
        coverages = coverages or COVERAGE_PACKAGE in innermost
        at += 1  # the exception's line
        chain = at
        while chain < len(lines) and not lines[chain].strip():
            chain += 1
        if chain >= len(lines) or not lines[chain].startswith(CHAINED):
            return min(at, len(lines)), coverages
        chain += 1
        while chain < len(lines) and not lines[chain].strip():
            chain += 1
        if chain >= len(lines) or not lines[chain].startswith(TRACEBACK):
            return min(at, len(lines)), coverages
        at = chain
