"""Take the README's screenshots of the live preview, from the example course.

    python scripts/screenshots.py            # writes docs/images/preview-*.png

A copy of examples/python-basics is served with `clm serve`; one deck is made
to fail, and Chromium photographs the course page and the failing deck's page
with its overlay.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO / "docs" / "images"
SPEC = "course-specs/python-basics.yaml"
DECK = "slides/module_100_basics/topic_110_variables/slides_variables.py"
PAGE = "shared/Python Basics-en/Slides/Html/Completed/Week 1 Basics/03 Variables.html"


def main() -> None:
    from playwright.sync_api import sync_playwright

    from clm.diagrams.drawio import CHROMIUM_ARGS
    from clm.diagrams.tools import chromium

    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        root = Path(work) / "python-basics"
        shutil.copytree(
            REPO / "examples" / "python-basics",
            root,
            ignore=shutil.ignore_patterns("output", ".clm", "__pycache__"),
        )
        server = subprocess.Popen(
            [sys.executable, "-m", "clm", "serve", SPEC, "--port", "0"],
            cwd=root,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            url = ""
            for line in server.stdout:
                found = re.match(r"clm: serving (\S+)", line)
                url = found.group(1) if found else url
                if line.startswith("clm: watching"):
                    break
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium(), args=list(CHROMIUM_ARGS)
                )
                page = browser.new_page(viewport={"width": 1280, "height": 760})
                page.goto(url + quote(PAGE))
                page.evaluate("window.scrollTo(0, 180)")
                deck = root / DECK
                deck.write_text(
                    deck.read_text().replace(
                        "answer = 42\n", "answer = 42\nprint(answr)  # a typo\n", 1
                    )
                )
                page.locator("#clm-overlay").wait_for(timeout=60_000)
                page.screenshot(path=IMAGES / "preview-overlay.png")
                course = browser.new_page(viewport={"width": 1280, "height": 760})
                course.goto(url)
                course.locator("tr.deck-row.failed").wait_for()
                course.screenshot(path=IMAGES / "preview-course-page.png")
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGINT)
            server.wait(timeout=30)
    print(f"wrote {IMAGES}/preview-overlay.png and preview-course-page.png")


if __name__ == "__main__":
    main()
