"""Time `clm validate` on synthetic courses, as a pre-commit hook would run it.

    python benchmarks/validate.py                 # 100 and 1,000 decks
    python benchmarks/validate.py --sizes 100 --runs 9

Each course is a fresh copy with no `.clm/` (nothing kept from a build: every
deck is checked), generated under benchmarks/work/validate-N. The table gives
the median and the slowest of the runs, wall-clock, with the target of the issue
that asked for the command (a 100-deck course well under 2 s).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import generate

WORK = Path(__file__).resolve().parent / "work"
CHECKOUT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = {100: 2.0}


def course(decks: int) -> Path:
    root = WORK / f"validate-{decks}"
    if not (root / "course.yaml").exists():
        shutil.rmtree(root, ignore_errors=True)
        generate(root, decks)
    shutil.rmtree(root / ".clm", ignore_errors=True)
    return root


def validate_seconds(root: Path) -> float:
    env = {**os.environ, "PYTHONPATH": str(CHECKOUT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled modules kept, as installed
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "clm", "validate"], cwd=root, env=env, capture_output=True
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"clm validate failed in {root}:\n{done.stderr.decode()}")
    if (root / ".clm").exists():
        raise SystemExit(f"clm validate wrote {root / '.clm'}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"{'decks':>6}{'median':>9}{'slowest':>9}{'target':>8}   (clm validate, s)")
    for decks in args.sizes:
        root = course(decks)
        validate_seconds(root)  # compiles clm's modules once
        times = [validate_seconds(root) for _ in range(args.runs)]
        target = TARGET_SECONDS.get(decks)
        print(
            f"{decks:>6}{statistics.median(times):>9.2f}{max(times):>9.2f}"
            f"{(f'< {target:.0f}' if target else '-'):>8}",
            flush=True,
        )


if __name__ == "__main__":
    main()
