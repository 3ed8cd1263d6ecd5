"""Looking at an HTML output as a reader without network would: headless Chromium, every
request but file:// aborted, MathJax given time to typeset."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Run once the page has loaded (an async script runs before the load event): MathJax's
# startup promise settles when it has typeset the page. Without MathJax, the formulas
# are what the page shows as it is.
LOOK = """async () => {
    const loaded = Boolean(window.MathJax && MathJax.startup && MathJax.startup.promise);
    if (loaded) await MathJax.startup.promise;
    return [
        loaded,
        document.querySelectorAll('mjx-container:not([display]) svg').length,
        document.querySelectorAll('mjx-container[display="true"] svg').length,
        [...document.querySelectorAll('.jp-MarkdownCell')].map(c => c.innerText).join('\\n'),
    ];
}"""


@dataclass(frozen=True)
class Seen:
    """What the page showed, once MathJax was done, and what it asked the network for."""

    loaded: bool  # whether MathJax ran at all
    inline: int  # typeset formulas in the text: <mjx-container> with an <svg>
    display: int  # ... set apart on their own line
    markdown: str  # the text of the page's Markdown cells, as the reader sees it
    requests: tuple[str, ...]  # every URL the page asked for that is not a file://


@contextmanager
def chromium() -> Iterator:
    """Debian's Chromium under Playwright, as clm's own diagram rendering starts it."""
    from playwright.sync_api import sync_playwright

    from clm.diagrams.drawio import CHROMIUM_ARGS
    from clm.diagrams.tools import chromium as executable

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable(), args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


def look_offline(browser, page_file: Path) -> Seen:
    """Open ``page_file`` with every request but file:// aborted; what it showed."""
    outside: list[str] = []

    def only_files(route) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort("internetdisconnected")

    context = browser.new_context()
    try:
        page = context.new_page()
        page.route("**/*", only_files)
        page.goto(page_file.as_uri(), wait_until="load")
        loaded, inline, display, markdown = page.evaluate(LOOK)
        return Seen(loaded, inline, display, markdown, tuple(outside))
    finally:
        context.close()
