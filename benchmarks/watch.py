"""Time watch mode: save → rebuild started, → updated HTML on disk, → the browser shows it.

    python benchmarks/watch.py                # 60 and 1,000 decks
    python benchmarks/watch.py --sizes 60

Uses the synthetic courses of benchmarks/run.py (built first when they are not).
Each size gets a real `doit auto --serve` and a headless Chromium showing the
edited deck's completed HTML page through the preview, then a series of markdown
edits to that deck, each timed from the write until the watcher says it started
("changed: …"), until the page has its new bytes on disk, and until the page in
the browser shows the new text (it reloads by itself). The course page's load
time is measured once per size.
"""

from __future__ import annotations

import argparse
import queue
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import course, doit

EDITS = 7
TARGETS = {
    ("save → rebuild started", 60): 0.5,
    ("save → updated HTML", 60): 1.5,
    ("save → browser shows the change", 60): 1.0,
}
SERVING = re.compile(r"^clm: serving (http://\S+)")


class Watcher:
    def __init__(self, root: Path):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "doit", "auto", "--serve", "--port", "0"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.SimpleQueue[tuple[float, str]] = queue.SimpleQueue()
        threading.Thread(target=self._read, daemon=True).start()
        started = time.perf_counter()
        self.url = ""
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
            serving = SERVING.match(line)
            if serving:
                self.url = serving.group(1)
            if line.startswith(prefix):
                return stamp

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def shows(page, text: str, saved: float) -> float:
    """Seconds from ``saved`` until the browser's page shows ``text``."""
    from playwright.sync_api import Error

    while time.perf_counter() - saved < 60:
        try:
            if page.evaluate("(text) => document.body.innerText.includes(text)", text):
                return time.perf_counter() - saved
        except Error:  # reloading
            pass
        time.sleep(0.005)
    raise SystemExit(f"the browser did not show {text!r} within 60 s")


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


def measure(root: Path, browser) -> dict[str, list[float]]:
    deck = next((root / "slides").rglob("slides_lesson_1.py"))
    page_file = completed_html(root, deck)
    original = deck.read_text()
    watcher = Watcher(root)
    figures: dict[str, list[float]] = {
        "save → rebuild started": [],
        "save → updated HTML": [],
        "save → browser shows the change": [],
    }
    try:
        page = browser.new_page()
        started = time.perf_counter()
        page.goto(watcher.url)
        figures["course page loaded"] = [time.perf_counter() - started]
        page_path = page_file.relative_to(root / "output").as_posix()
        page.goto(watcher.url + quote(page_path))
        page.wait_for_timeout(300)  # its event stream is connected
        for edit in range(EDITS):
            marker = f"We read the file (edit {edit})"
            deck.write_text(original.replace("We read the file", marker, 1))
            saved = time.perf_counter()
            started = watcher.wait_for("changed: ")
            while marker.encode() not in page_file.read_bytes():
                if time.perf_counter() - saved > 60:
                    raise SystemExit(f"{page_file} did not change within 60 s")
                time.sleep(0.005)
            figures["save → updated HTML"].append(time.perf_counter() - saved)
            figures["save → browser shows the change"].append(shows(page, marker, saved))
            figures["save → rebuild started"].append(started - saved)
            watcher.wait_for("cycle ")
        figures["watcher start (course up to date)"] = [watcher.startup]
        page.close()
    finally:
        watcher.stop()
        deck.write_text(original)
        doit(root)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[60, 1000])
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from clm.diagrams.drawio import CHROMIUM_ARGS
    from clm.diagrams.tools import chromium

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=list(CHROMIUM_ARGS))
        for size in args.sizes:
            root = course(size, fresh=False)
            doit(root)  # up to date before the watcher starts
            for name, values in measure(root, browser).items():
                rows.append((name, size, statistics.median(values), max(values)))
        browser.close()
    print(f"| {'measure':<36} | {'decks':>5} | {'median':>8} | {'worst':>8} | target |")
    print(f"|{'-' * 38}|{'-' * 7}|{'-' * 10}|{'-' * 10}|--------|")
    for name, size, median, worst in rows:
        target = TARGETS.get((name, size))
        mark = f"< {target:g} s" if target else ""
        print(f"| {name:<36} | {size:>5} | {median:>7.3f}s | {worst:>7.3f}s | {mark:>6} |")


if __name__ == "__main__":
    main()
