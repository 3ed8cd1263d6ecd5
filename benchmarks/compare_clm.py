"""clm side by side with the published CLM tool on the same 60-deck course.

    python benchmarks/compare_clm.py [--decks 60]

CLM (coding-academy-lecture-manager 1.35 from PyPI) is installed into its own
Python 3.12 virtual environment under benchmarks/work/ and builds the synthetic
course through its XML spec; clm builds an identical copy with `doit`. Both do
a cold build, a no-op and a one-deck markdown edit (medians of three where
repeatable); the table shows the times and how many times faster clm is.
"""

from __future__ import annotations

import argparse
import glob
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
CLM_VERSION = "1.35"
TARGETS = {"cold build": 5.0, "no-op": 20.0}  # CLM / clm at least


def python312() -> str:
    """A working Python 3.12 (a pyenv shim may exist without the version selected)."""
    candidates = [shutil.which("python3.12")]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.12*/bin/python3.12")))
    for candidate in filter(None, candidates):
        probe = subprocess.run([candidate, "-c", "import venv"], capture_output=True)
        if probe.returncode == 0:
            return candidate
    raise SystemExit("CLM needs Python 3.12: install it (e.g. `pyenv install 3.12`) and retry")


def clm_tool() -> Path:
    venv = WORK / "clm-tool-venv"
    tool = venv / "bin" / "clm"
    if not tool.exists():
        subprocess.run([python312(), "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet",
             f"coding-academy-lecture-manager[notebook]=={CLM_VERSION}"],
            check=True,
        )  # fmt: skip
    return tool


def timed(args: list[str], cwd: Path) -> float:
    env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb"}
    start = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    return seconds


def edit_markdown(root: Path, round: int) -> None:
    deck = next((root / "slides").rglob("slides_lesson_1.py"))
    text = deck.read_text()
    deck.write_text(text.replace("Wir lesen", f"Wir lesen ({round})", 1))


def measure(build: list[str], root: Path) -> dict[str, float]:
    times = {"cold build": timed(build, root)}
    times["no-op"] = statistics.median(timed(build, root) for _ in range(3))
    edits = []
    for round in range(3):
        edit_markdown(root, round)
        edits.append(timed(build, root))
    times["markdown edit"] = statistics.median(edits)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decks", type=int, default=60)
    args = parser.parse_args()
    tool = clm_tool()
    roots = {}
    for name in ("ours", "clm-tool"):
        root = WORK / f"compare-{name}-{args.decks}"
        shutil.rmtree(root, ignore_errors=True)
        generate(root, args.decks)
        roots[name] = root
    ours = measure([sys.executable, "-m", "doit"], roots["ours"])
    theirs = measure([str(tool), "build", "course-specs/synthetic.xml"], roots["clm-tool"])
    print(f"{'measure':<16}{'clm':>10}{'CLM ' + CLM_VERSION:>12}{'CLM / clm':>12}  target")
    for name in ours:
        ratio = theirs[name] / ours[name]
        target = f">= {TARGETS[name]:g}x" if name in TARGETS else ""
        print(f"{name:<16}{ours[name]:>9.2f}s{theirs[name]:>11.2f}s{ratio:>11.1f}x  {target}")


if __name__ == "__main__":
    main()
