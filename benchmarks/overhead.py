"""What history, lock, progress and clm's reporter cost on a no-op at 1,000 decks.

    python benchmarks/overhead.py [--decks 1000] [--runs 7]

Both sides run the same plan with the same content checker on the built
synthetic course of benchmarks/run.py: clm as a course author runs it (`doit`:
clm's backend committing per task, the build lock, the history, the progress
reporter) against doit's stock sqlite3 backend, on a copy of the same state, with
doit's `zero` reporter. Runs are interleaved; the medians are compared.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import course, doit

STOCK_DB = ".clm/stock.sqlite"


def stock_state(root: Path) -> None:
    """doit's sqlite3 backend file holding the same task records as clm's state."""
    target = root / STOCK_DB
    target.unlink(missing_ok=True)
    with sqlite3.connect(root / ".clm" / "state.sqlite") as source:
        rows = source.execute("select task_id, data from doit_tasks").fetchall()
    with sqlite3.connect(target) as stock:
        stock.execute("create table doit (task_id text not null primary key, task_data json)")
        stock.executemany("insert into doit values (?, ?)", rows)


def timed(root: Path, args: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "doit", *args], cwd=root, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(result.stdout[-2000:] + result.stderr[-2000:])
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decks", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    root = course(args.decks, fresh=False)
    doit(root)  # up to date
    stock_state(root)
    stock_args = ["run", "--backend", "sqlite3", "--db-file", STOCK_DB, "--reporter", "zero"]
    timed(root, stock_args)  # both warm
    clm_times, stock_times = [], []
    for _ in range(args.runs):
        clm_times.append(timed(root, []))
        stock_times.append(timed(root, stock_args))
    ours, theirs = statistics.median(clm_times), statistics.median(stock_times)
    allowed = max(0.05 * theirs, 0.1)
    print(f"no-op at {args.decks} decks, {args.runs} interleaved runs each, medians")
    print(f"| {'build':<62} | {'median':>8} |")
    print(f"|{'-' * 64}|{'-' * 10}|")
    print(f"| {'clm (history, lock, progress, per-task-commit backend)':<62} | {ours:7.3f}s |")
    print(
        f"| {'stock sqlite3 backend, zero reporter (same plan and checker)':<62} | {theirs:7.3f}s |"
    )
    verdict = "within" if ours - theirs <= allowed else "OVER"
    print(
        f"overhead {ours - theirs:+.3f} s ({(ours - theirs) / theirs:+.1%}); "
        f"allowed {allowed:.3f} s: {verdict}"
    )


if __name__ == "__main__":
    main()
