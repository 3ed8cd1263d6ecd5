"""This checkout against another (an older commit, say) on the same courses, run by turns.

    python benchmarks/ab.py --baseline /path/to/old-checkout [--baseline-python PY]

A refactor must keep clm's speed. On a shared machine two tables taken minutes
apart differ by more than what is measured; here each figure is taken from both
checkouts in turn, A then B then A …, so a busy minute slows both alike, and the
table gives medians and their ratio (this checkout / the baseline).

Each checkout builds its own copy of the courses, where its benchmarks/run.py
keeps them (benchmarks/work/course-N, generated when missing), with doit and
clm from that checkout (on PYTHONPATH; ``--baseline-python`` when its doit
plugins are registered under other module names than this one's).

Give both sides interpreters set up alike: a 0.3 s no-op is measured in
milliseconds, and an editable install's import hook (a ``.pth`` file) alone
adds about 15 ms to every start of Python, a coverage ``.pth`` a few more.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import PLANNING
from synthetic import generate

CHECKOUT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Side:
    name: str
    checkout: Path
    python: str

    def env(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONPATH": str(self.checkout)}
        env.pop("CLM_CACHE_REMOTE", None)  # both sides execute alike, with no shared store
        # Compiled modules are kept, as an author's installation keeps them: compiling
        # clm's sources again in every run costs more than the run itself takes.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def run(self, cwd: Path, *args: str) -> float:
        """Seconds ``python args`` takes in ``cwd`` with this side's clm; exits when it fails."""
        env = self.env()
        start = time.perf_counter()
        done = subprocess.run(
            [self.python, *args], cwd=cwd, env=env, capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(
                f"{self.name}: {' '.join(args)} failed in {cwd}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
            )
        return seconds

    def course(self, decks: int) -> Path:
        root = self.checkout / "benchmarks" / "work" / f"course-{decks}"
        if not (root / "course.yaml").exists():
            shutil.rmtree(root, ignore_errors=True)
            generate(root, decks)
        return root


def planning(side: Side, root: Path) -> float:
    done = subprocess.run(
        [side.python, "-c", PLANNING],
        cwd=root,
        env=side.env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout)


def cold_build(side: Side, decks: int) -> float:
    root = side.course(decks)
    for made in (root / ".clm", root / "output"):
        shutil.rmtree(made, ignore_errors=True)
    return side.run(root, "-m", "doit")


def one_deck_edit(side: Side, root: Path) -> float:
    deck = next((root / "slides").rglob("slides_lesson_1.py"))
    original = deck.read_text()
    deck.write_text(original.replace("Wir lesen die Datei", "Wir lesen jetzt die Datei"))
    try:
        return side.run(root, "-m", "doit")
    finally:
        deck.write_text(original)
        side.run(root, "-m", "doit")


def measures(sizes: list[int]):
    """(name, decks, how to take it from a side) for each figure of the table."""
    for decks in sizes:
        yield "planning", decks, lambda side, d=decks: planning(side, side.course(d))
        yield (
            "doit list",
            decks,
            lambda side, d=decks: side.run(side.course(d), "-m", "doit", "list"),
        )
        if decks <= 60:
            yield "cold build", decks, lambda side, d=decks: cold_build(side, d)
        yield "no-op", decks, lambda side, d=decks: side.run(side.course(d), "-m", "doit")
        yield "one-deck edit", decks, lambda side, d=decks: one_deck_edit(side, side.course(d))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the other checkout")
    parser.add_argument("--baseline-python", default=sys.executable)
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 1000])
    parser.add_argument("--rounds", type=int, default=5, help="turns per figure and side")
    parser.add_argument(
        "--measures", nargs="+", metavar="NAME", help="only these figures, e.g. no-op 'doit list'"
    )
    args = parser.parse_args()
    sides = (
        Side("baseline", args.baseline.resolve(), args.baseline_python),
        Side("this", CHECKOUT, sys.executable),
    )
    for side in sides:  # up to date first: the turns measure no-ops, not a catch-up
        for decks in args.sizes:
            side.run(side.course(decks), "-m", "doit")
    print(
        f"{'measure':<16}{'decks':>6}{'baseline':>10}{'this':>10}{'ratio':>8}   ({args.rounds} turns each, medians in s)"
    )
    for name, decks, take in measures(args.sizes):
        if args.measures and name not in args.measures:
            continue
        times: dict[str, list[float]] = {side.name: [] for side in sides}
        for turn in range(args.rounds):
            for side in sides if turn % 2 == 0 else reversed(sides):
                times[side.name].append(take(side))
        old, new = (statistics.median(times[side.name]) for side in sides)
        print(f"{name:<16}{decks:>6}{old:>10.3f}{new:>10.3f}{new / old:>8.3f}", flush=True)


if __name__ == "__main__":
    main()
