"""Time clm on synthetic courses and print a table of figures against targets.

    python benchmarks/run.py              # 60 and 1,000 decks
    python benchmarks/run.py --sizes 60   # quicker

Courses are generated under benchmarks/work/ (git-ignored). The 1,000-deck course
is built once (that takes a while) and kept, so later runs measure no-ops and edits.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import generate

WORK = Path(__file__).resolve().parent / "work"
TARGETS = {
    ("planning", 1000): 0.5,
    ("no-op", 60): 0.5,
    ("no-op", 1000): 2.0,
}


@dataclass
class Run:
    seconds: float
    peak_mb: float
    output: str


def timed(args: list[str], cwd: Path) -> Run:
    """Run a command; its wall time and the peak RSS of the largest process it waited for."""
    with tempfile.TemporaryFile("w+") as log:
        start = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed in {cwd}:\n{output[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, output)


def doit(cwd: Path, *args: str) -> Run:
    return timed([sys.executable, "-m", "doit", *args], cwd)


def median_of(runs: int, make) -> float:
    return statistics.median(make().seconds for _ in range(runs))


# Prints the seconds that importing the planner and planning course.yaml take.
PLANNING = (
    "import time; t = time.perf_counter()\n"
    "from clm.plan.outputs import plan_spec\n"
    "plan_spec('course.yaml')\n"
    "print(time.perf_counter() - t)\n"
)


def planning_seconds(root: Path) -> float:
    results = [
        float(
            subprocess.run(
                [sys.executable, "-c", PLANNING],
                cwd=root,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        for _ in range(3)
    ]
    return statistics.median(results)


def course(decks: int, fresh: bool) -> Path:
    root = WORK / f"course-{decks}"
    if fresh and root.exists():
        shutil.rmtree(root)
    if not (root / "course.yaml").exists():
        generate(root, decks)
    return root


def edit_one_deck(root: Path) -> float:
    deck = next((root / "slides").rglob("slides_lesson_1.py"))
    original = deck.read_text()
    deck.write_text(original.replace("Wir lesen die Datei", "Wir lesen jetzt die Datei"))
    try:
        return doit(root).seconds
    finally:
        deck.write_text(original)
        doit(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 1000])
    args = parser.parse_args()
    rows: list[tuple[str, int, float, str]] = []

    for size in args.sizes:
        root = course(size, fresh=size <= 60)
        rows.append(("planning", size, planning_seconds(root), "s"))
        rows.append(("doit list", size, median_of(3, lambda root=root: doit(root, "list")), "s"))
        cold = doit(root)
        if size <= 60:
            rows.append(("cold build", size, cold.seconds, "s"))
        rows.append(("peak memory (doit process)", size, cold.peak_mb, "MB"))
        tasks = len(doit(root, "list", "--all", "-q").output.splitlines())
        rows.append(("tasks per deck", size, tasks / size, ""))
        rows.append(("no-op", size, median_of(3, lambda root=root: doit(root)), "s"))
        rows.append(("one-deck edit", size, edit_one_deck(root), "s"))

    print(f"{'measure':<28}{'decks':>7}{'value':>10}  unit  target  ratio")
    for name, size, value, unit in rows:
        target = TARGETS.get((name, size))
        extra = f"{target:>6.2f}  {value / target:>5.2f}" if target else ""
        print(f"{name:<28}{size:>7}{value:>10.3f}  {unit:<4}  {extra}")


if __name__ == "__main__":
    main()
