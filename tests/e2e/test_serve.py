"""`clm serve` on a copy of the built example course, looked at in a real headless Chromium.

Each test starts the preview on a free port (``--port 0``), opens pages through
it and changes the course's files as an author would; nothing in the browser
is done by hand after the page has opened.
"""

from __future__ import annotations

import http.client
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

import psutil
import pytest

from clm.plan.outputs import plan_spec
from clm.plan.variants import Format, Kind
from tests.e2e.conftest import YAML_SPEC
from tests.e2e.helpers import _env, without_fork
from tests.e2e.test_watch import TYPES, VARIABLES, WITHIN, Watcher, _descendants, all_end

pytestmark = pytest.mark.slow

SERVING = re.compile(r"^clm: serving (http://\S+)")
EDITS = 3


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from clm.diagrams.drawio import CHROMIUM_ARGS
    from clm.diagrams.tools import chromium

    with sync_playwright() as playwright:
        chrome = playwright.chromium.launch(executable_path=chromium(), args=list(CHROMIUM_ARGS))
        yield chrome
        chrome.close()


class Preview(Watcher):
    """`clm serve` on a free port; ``url`` is where it serves."""

    def __init__(self, root: Path, *extra: str, env: dict[str, str] | None = None):
        super().__init__(root, ("clm", "serve", YAML_SPEC, "--port", "0", *extra), env)
        (line,) = [line for line in self.seen if SERVING.match(line)]
        self.url = SERVING.match(line).group(1).rstrip("/")

    def page_url(self, path: str) -> str:
        return self.url + "/" + quote(path.removeprefix("output/"))

    def open(self, context, deck: str):
        """A new tab showing the deck's completed English HTML page."""
        page = context.new_page()
        page.goto(self.page_url(html_page(self.root, deck)))
        return page


@pytest.fixture
def preview(course_copy):
    serving = Preview(course_copy)
    yield serving
    serving.kill()


@pytest.fixture
def context(browser):
    # A viewport lower than the decks' pages, so that a page can be scrolled.
    opened = browser.new_context(viewport={"width": 1000, "height": 400})
    yield opened
    opened.close()


def html_page(root: Path, deck: str, lang: str = "en", kind: Kind = Kind.COMPLETED) -> str:
    _, _, plan = plan_spec(root / YAML_SPEC)
    (deck_plan,) = [d for d in plan.decks if d.deck.path == deck]
    (path,) = [
        o.path
        for o in deck_plan.outputs
        if o.variant.lang == lang and o.variant.kind is kind and o.variant.format is Format.HTML
    ]
    return path


def shows(page, text: str) -> None:
    """Waits until the page's text contains ``text`` (across the reloads it makes)."""
    from playwright.sync_api import Error

    deadline = time.monotonic() + WITHIN
    while time.monotonic() < deadline:
        try:
            if page.evaluate("(text) => document.body.innerText.includes(text)", text):
                return
        except Error:  # the page is reloading
            pass
        time.sleep(0.05)
    raise AssertionError(f"the page did not show {text!r} within {WITHIN} s")


def test_a_saved_edit_reloads_its_page_in_place_and_no_other(preview, context, course_copy):
    deck = course_copy / VARIABLES
    original = deck.read_text()
    page = preview.open(context, VARIABLES)
    other = preview.open(context, TYPES)
    other_loads: list[str] = []
    other.on("load", lambda _: other_loads.append("load"))
    other.evaluate("window.stillTheSamePage = true")
    page.evaluate("window.scrollTo(0, 300)")
    page.wait_for_function("window.scrollY === 300")
    page.wait_for_timeout(300)  # both pages' event streams are connected

    # How soon is benchmarks/watch.py's to measure: on a loaded machine any time is right.
    for edit in range(EDITS):
        marker = f"Names for things, edit {edit}"
        deck.write_text(original.replace("Names for values", marker))
        shows(page, marker)
        assert page.evaluate("window.scrollY") == 300, "the reload lost the scroll position"
        preview.cycle()
    assert other_loads == []
    assert other.evaluate("window.stillTheSamePage") is True


# The course page's sections are not rendered while off screen (content-visibility),
# so its rows are looked for in the document, whether or not they are painted.
IN_PAGE = {"state": "attached", "timeout": WITHIN * 1000}
SEEN = {"timeout": WITHIN * 1000}

VISIBILITY = """(state) => {
    Object.defineProperty(document, "visibilityState", {value: state, configurable: true});
    document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_a_tab_out_of_view_catches_up_when_it_comes_back(preview, context, course_copy):
    deck = course_copy / VARIABLES
    page = preview.open(context, VARIABLES)
    loads: list[str] = []
    page.on("load", lambda _: loads.append("load"))
    page.wait_for_timeout(300)
    page.evaluate(VISIBILITY, "hidden")  # as when another tab is chosen
    deck.write_text(deck.read_text().replace("Names for values", "Names while away"))
    preview.cycle()
    page.wait_for_timeout(500)
    assert loads == [], "a tab out of view listens to nothing"
    page.evaluate(VISIBILITY, "visible")
    shows(page, "Names while away")


def test_a_failing_edit_shows_the_overlay_and_the_fix_clears_it(preview, context, course_copy):
    deck = course_copy / VARIABLES
    original = deck.read_text()
    page = preview.open(context, VARIABLES)
    course = context.new_page()
    course.goto(preview.url + "/")
    row = course.locator(f'tr.deck-row[data-deck="{VARIABLES}"]')
    assert "up to date" in row.text_content()
    page.wait_for_timeout(300)

    # Line 22 of the deck raises.
    deck.write_text(original.replace("answer = 42\n", 'answer = 42\nraise ValueError("boom")\n'))
    overlay = page.locator("#clm-overlay")
    overlay.wait_for(**SEEN)
    message = overlay.inner_text()
    assert f"{VARIABLES}:22" in message and "ValueError: boom" in message, message
    assert "Names for values" in page.inner_text("body"), "the last good version stays"
    course.locator(f'tr.deck-row.failed[data-deck="{VARIABLES}"]').wait_for(**IN_PAGE)
    explained = course.locator(f'tr.message-row[data-deck="{VARIABLES}"]').text_content()
    assert f"{VARIABLES}:22" in explained
    assert course.locator("tr.deck-row.failed").count() == 1
    assert "1 failing" in course.inner_text("#clm-counters")

    deck.write_text(original.replace("Names for values", "Names, fixed"))
    shows(page, "Names, fixed")
    assert page.locator("#clm-overlay").count() == 0
    row.locator("span.ok", has_text="up to date").wait_for(**IN_PAGE)
    assert course.locator("tr.message-row").count() == 0
    assert course.locator("tr.deck-row.failed").count() == 0

    # Failing again and then reverting to the last good text rewrites nothing, and
    # still clears the overlay.
    preview.cycle()
    deck.write_text(original.replace("answer = 42\n", "answer = 42\nraise KeyError\n"))
    overlay.wait_for(**SEEN)
    deck.write_text(original.replace("Names for values", "Names, fixed"))
    overlay.wait_for(state="detached", **SEEN)


def test_the_course_page_lists_every_deck_and_links_every_html_output(
    preview, context, course_copy
):
    _, _, plan = plan_spec(course_copy / YAML_SPEC)
    page = context.new_page()
    response = page.goto(preview.url + "/")
    assert response.status == 200
    rows = page.locator("tr.deck-row")
    assert sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.deck)")) == sorted(
        d.deck.path for d in plan.decks
    )
    links = set(page.locator("a.main").evaluate_all("links => links.map(a => a.pathname)"))
    html = {
        "/" + quote(path.removeprefix("output/"))
        for d in plan.decks
        for o in d.outputs
        if o.variant.format is Format.HTML
        # A trainer page written with the recording page is linked as trainer's too.
        for path in (o.path, *(path for _, path in o.also))
    }
    assert links == html
    assert page.locator("text=0 failing").count() == 1
    # Every link leads to a page the server has.
    for link in sorted(links)[:5]:
        assert page.request.get(preview.url + link).status == 200

    # A spec the course cannot be planned from is said on the page until it is mended.
    spec = course_copy / YAML_SPEC
    original = spec.read_text()
    spec.write_text(original + "\nsections: [\n")
    banner = page.locator(".banner", has_text="cannot be planned")
    banner.wait_for(**SEEN)
    assert YAML_SPEC in banner.inner_text()
    spec.write_text(original)
    banner.wait_for(state="detached", **SEEN)


def _get(url: str, path: str, host: str | None = None) -> tuple[int, bytes]:
    """A request with the path exactly as given (a browser would tidy it first)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=WITHIN)
    try:
        connection.putrequest("GET", path, skip_host=host is not None, skip_accept_encoding=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_the_server_serves_the_output_folder_only(preview, course_copy):
    page = html_page(course_copy, VARIABLES)
    status, body = _get(preview.url, "/" + quote(page.removeprefix("output/")))
    assert status == 200
    assert b"/_clm/live.js" in body
    assert b"/_clm/live.js" not in (course_copy / page).read_bytes(), "the file on disk is kept"
    (course_copy / "output" / "outside").symlink_to(course_copy / "course-specs")
    for path in (
        "/../course-specs/python-basics.yaml",
        "/%2e%2e/course-specs/python-basics.yaml",
        "/public/../../course-specs/python-basics.yaml",
        "/public/%2E%2E/%2E%2E/dodo.py",
        "/..%2fdodo.py",
        "/outside/python-basics.yaml",
        "/no-such-page.html",
    ):
        status, body = _get(preview.url, path)
        assert status == 404, path
        # The 404 names the path asked for (escaped), never what lies there.
        assert b"prog-lang:" not in body and b"course_tasks" not in body
        assert b"404 Not Found" in body
    assert _get(preview.url, "/favicon.ico") == (204, b""), "a browser's first question"
    # A page of another site, reaching 127.0.0.1 through its own DNS name, reads nothing.
    status, body = _get(preview.url, "/", host="rebound.example:80")
    assert status == 403 and b"serves this machine only" in body
    assert b"deck-row" not in body


def test_a_port_in_use_is_said_in_one_line(course_copy):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "clm", "serve", YAML_SPEC, "--port", str(port)],
            cwd=course_copy,
            capture_output=True,
            text=True,
            env=_env(),
            timeout=WITHIN,
        )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"port {port}" in lines[0] and "--port" in lines[0]


@pytest.mark.parametrize("host", ["0.0.0.0", "::1"])
def test_serving_beyond_this_machine_is_warned_of_and_ipv6_is_served(course_copy, host):
    serving = Preview(course_copy, "--host", host)
    try:
        warned = [line for line in serving.seen if "warning" in line]
        if host == "0.0.0.0":
            (warning,) = warned
            assert "0.0.0.0" in warning and "solutions and speaker notes" in warning
            status, _ = _get(serving.url.replace("0.0.0.0", "127.0.0.1"), "/")
        else:
            assert warned == []
            assert serving.url.startswith("http://[::1]:")
            status, _ = _get(serving.url, "/")
        assert status == 200
    finally:
        serving.stop()


def test_ctrl_c_ends_server_watcher_workers_and_kernels(preview, context, course_copy):
    page = preview.open(context, VARIABLES)
    page.wait_for_timeout(300)  # a browser holds an event stream open
    children = _descendants(preview.process.pid)
    assert children, "the preview runs worker processes"
    preview.stop(signal.SIGINT)
    left = all_end(children)
    assert left == [], [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in left]
    with pytest.raises(OSError):
        socket.create_connection((urlsplit(preview.url).hostname, urlsplit(preview.url).port), 1)


def test_without_fork_the_preview_builds_runs_a_kernel_and_ends_on_ctrl_c(course_copy):
    """As on Windows, where multiprocessing has spawn alone: the preview's pool and its
    cycles start their workers by spawn, and Ctrl-C ends them all."""
    serving = Preview(course_copy, env=without_fork(_env()))
    try:
        children = _descendants(serving.process.pid)
        assert any("spawn_main" in " ".join(psutil.Process(pid).cmdline()) for pid in children)
        deck = course_copy / VARIABLES
        deck.write_text(deck.read_text().replace("answer = answer + 1", "answer = answer + 2"))
        assert "1 kernel ran deck code" in serving.cycle()[-1]
        status, _ = _get(serving.url, "/")
        assert status == 200
        serving.stop(signal.SIGINT)
        assert serving.process.returncode == 0, serving.seen
        assert all_end(children) == []
        assert not [line for line in serving.seen if "Traceback" in line], serving.seen
    finally:
        serving.kill()


def test_doit_auto_serve_previews_too(course_copy, context):
    watching = Watcher(course_copy, ("doit", "auto", "--serve", "--port", "0"))
    try:
        (line,) = [line for line in watching.seen if SERVING.match(line)]
        url = SERVING.match(line).group(1)
        page = context.new_page()
        assert page.goto(url).status == 200
        assert page.locator("tr.deck-row").count() > 0
    finally:
        watching.stop()


def test_lang_builds_one_language_and_kind_narrows_the_course_page(course_copy, context):
    serving = Preview(course_copy, "--lang", "en", "--kind", "completed")
    try:
        page = context.new_page()
        page.goto(serving.url + "/")
        headers = page.locator("thead").first.locator("th").all_text_contents()
        assert headers[2:] == ["EN · completed"]
        german = course_copy / html_page(course_copy, VARIABLES, lang="de")
        before = german.stat().st_mtime_ns
        deck = course_copy / VARIABLES
        deck.write_text(deck.read_text().replace("Names for values", "English only"))
        english = serving.open(context, VARIABLES)
        shows(english, "English only")
        serving.cycle()
        assert german.stat().st_mtime_ns == before, "only English is built"
    finally:
        serving.stop()
