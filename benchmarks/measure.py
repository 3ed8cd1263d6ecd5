"""Running a build as a course author would, and timing it: wall time and peak memory."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float  # the largest resident set of the process or a child it waited for
    exit_code: int
    output: str


def author_env(checkout: Path = CHECKOUT) -> dict[str, str]:
    """The environment of a build with ``checkout``'s clm, compiled modules kept.

    An author's installation keeps its compiled modules; with
    PYTHONDONTWRITEBYTECODE (set in some shells and CI) every start of Python
    compiles clm again, which costs more than a no-op takes.
    """
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("CLM_CACHE_REMOTE", None)  # builds execute here, with no shared store
    return env


def timed(
    args: Sequence[str], cwd: Path, env: dict[str, str] | None = None, check: bool = True
) -> Run:
    """Run a command in ``cwd``; exits with its output when it fails and ``check`` is set."""
    with tempfile.TemporaryFile("w+") as log:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(args), cwd=cwd, env=env or author_env(), stdout=log, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        log.seek(0)
        output = log.read()
    exit_code = os.waitstatus_to_exitcode(status)
    if check and exit_code != 0:
        raise SystemExit(f"{' '.join(args)} failed in {cwd} ({exit_code}):\n{output[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, exit_code, output)


def doit_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "doit", *args]


def clm_command(*args: str) -> list[str]:
    """``clm …`` as an author types it: the console script next to this Python, if any."""
    script = Path(sys.executable).parent / "clm"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "clm", *args]


def doit(cwd: Path, *args: str, check: bool = True, checkout: Path = CHECKOUT) -> Run:
    return timed(doit_command(*args), cwd, author_env(checkout), check)


def repeated(runs: int, make: Callable[[], Run]) -> list[Run]:
    return [make() for _ in range(runs)]


def median_seconds(runs: Sequence[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


def peak_mb(runs: Sequence[Run]) -> float:
    return max(run.peak_mb for run in runs)
