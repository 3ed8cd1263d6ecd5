"""Time watch mode: save → rebuild started, and save of a markdown edit → updated HTML on disk.

    python benchmarks/watch.py                # 60 and 1,000 decks
    python benchmarks/watch.py --sizes 60

Uses the synthetic courses of benchmarks/run.py (built first when they are not).
Each size gets a real `doit auto`, then a series of markdown edits to one deck,
each timed from the write until the watcher says it started ("changed: …") and
until the edited deck's completed HTML page has its new bytes on disk.
"""

from __future__ import annotations

import argparse
import queue
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import course, doit

EDITS = 7
TARGETS = {("save → rebuild started", 60): 0.5, ("save → updated HTML", 60): 1.5}


class Watcher:
    def __init__(self, root: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "doit", "auto"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.SimpleQueue[tuple[float, str]] = queue.SimpleQueue()
        threading.Thread(target=self._read, daemon=True).start()
        started = time.perf_counter()
        self.wait_for("clm: watching ", timeout=600)
        self.startup = time.perf_counter() - started

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put((time.perf_counter(), line))

    def wait_for(self, prefix: str, timeout: float = 60) -> float:
        """When the first line starting with ``prefix`` arrived."""
        deadline = time.perf_counter() + timeout
        while True:
            stamp, line = self.lines.get(timeout=max(0.01, deadline - time.perf_counter()))
            if line.startswith(prefix):
                return stamp

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def completed_html(root: Path, deck: Path) -> Path:
    from clm.plan.outputs import plan_spec

    _, _, plan = plan_spec(root / "course.yaml")
    relative = deck.relative_to(root).as_posix()
    (deck_plan,) = [d for d in plan.decks if d.deck.path == relative]
    (output,) = [
        o
        for o in deck_plan.outputs
        if o.variant.lang == "en" and o.variant.kind.value == "completed"
        if o.variant.format.value == "html"
    ]
    return root / output.path


def measure(root: Path) -> dict[str, list[float]]:
    deck = next((root / "slides").rglob("slides_lesson_1.py"))
    page = completed_html(root, deck)
    original = deck.read_text()
    watcher = Watcher(root)
    figures: dict[str, list[float]] = {"save → rebuild started": [], "save → updated HTML": []}
    try:
        for edit in range(EDITS):
            marker = f"We read the file (edit {edit})"
            deck.write_text(original.replace("We read the file", marker, 1))
            saved = time.perf_counter()
            started = watcher.wait_for("changed: ")
            while marker.encode() not in page.read_bytes():
                if time.perf_counter() - saved > 60:
                    raise SystemExit(f"{page} did not change within 60 s")
                time.sleep(0.005)
            figures["save → updated HTML"].append(time.perf_counter() - saved)
            figures["save → rebuild started"].append(started - saved)
            watcher.wait_for("cycle ")
        figures["watcher start (course up to date)"] = [watcher.startup]
    finally:
        watcher.stop()
        deck.write_text(original)
        doit(root)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 1000])
    args = parser.parse_args()
    rows = []
    for size in args.sizes:
        root = course(size, fresh=False)
        doit(root)  # up to date before the watcher starts
        for name, values in measure(root).items():
            rows.append((name, size, statistics.median(values), max(values)))
    print(f"| {'measure':<36} | {'decks':>5} | {'median':>8} | {'worst':>8} | target |")
    print(f"|{'-' * 38}|{'-' * 7}|{'-' * 10}|{'-' * 10}|--------|")
    for name, size, median, worst in rows:
        target = TARGETS.get((name, size))
        mark = f"< {target:g} s" if target else ""
        print(f"| {name:<36} | {size:>5} | {median:>7.3f}s | {worst:>7.3f}s | {mark:>6} |")


if __name__ == "__main__":
    main()
