"""Render draw.io files to PNG and SVG with draw.io's own code in headless Chromium.

Python reads the file and inflates compressed pages, so that a malformed file is
reported with its line and column (or its page) before any browser starts. Each
page's ``mxGraphModel`` then goes to draw.io's viewer build, loaded once into a
single page of one browser per worker process: its ``Graph.getSvg`` yields the
SVG, and a screenshot of that same SVG at device scale 3 yields the PNG: the
equivalent of draw.io desktop's ``--scale 3 --border 20`` export.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote
from xml.etree import ElementTree as ET

from clm.diagrams import tools
from clm.diagrams.errors import DiagramError, MissingTool
from clm.diagrams.names import picture_names

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, Route

SCALE = 3
BORDER = 20
WHITE = "#ffffff"

CHROMIUM_ARGS = (
    # Root cannot use Chromium's sandbox; the page only ever runs draw.io's own code.
    "--no-sandbox",
    # The network is closed here: anything Chromium fetches on its own would only stall.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
)

# A made-up origin that never resolves: every request goes through the route handler,
# which serves the page and the viewer's files and aborts everything else.
ORIGIN = "https://clm-drawio.invalid/"
VIEWER_FILES = ("viewer-static.min.js", "shapes.min.js", "stencils.min.js")

PAGE_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8">
<style>
html, body { margin: 0; padding: 0; background: #ffffff; color-scheme: light; }
#clm-graph { position: absolute; left: 0; top: 0; width: 1px; height: 1px;
  overflow: hidden; visibility: hidden; }
#clm-shot { position: absolute; left: 0; top: 0; line-height: 0; }
</style>
<script>
// The viewer reads these before it starts; keep it from reaching for its servers.
window.mxLoadResources = false;
window.mxLoadStylesheets = false;
// Without this the viewer scans the page for diagrams to embed once it loaded.
window.onDrawioViewerLoad = function () {};
</script>
</head><body>
<div id="clm-graph"></div><div id="clm-shot"></div>
SCRIPTS
</body></html>
"""

# Runs once after the viewer loaded. draw.io draws ids from Math.random
# (Editor.guid), so each render reseeds it: the same page gives the same bytes
# whatever was rendered before it.
PAGE_SETUP = """() => {
  // shapes.min.js already defines every shape; without this draw.io would try
  // to fetch each library's .js again over the (closed) network.
  mxStencilRegistry.allowEval = false;
  window.clmSeed = function (seed) {
    var s = seed >>> 0;
    Math.random = function () {
      s = (s + 0x6D2B79F5) >>> 0;
      var t = Math.imul(s ^ (s >>> 15), s | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  };
  return typeof Graph === 'function' && typeof mxCodec === 'function'
    && typeof mxShapeAws4ResourceIcon === 'function';
}"""

# The SVG as draw.io's export makes it (Graph.getSvg, with the arguments that
# EditorUi.getEmbeddedSvg and the desktop exporter pass), from one page's model.
RENDER_SVG = """([xml, scale, border, white]) => {
  clmSeed(1);
  var holder = document.getElementById('clm-graph');
  var container = document.createElement('div');
  holder.appendChild(container);
  var graph = null;
  try {
    var doc = mxUtils.parseXml(xml);
    var node = doc.documentElement;
    graph = new Graph(container);
    graph.foldingEnabled = false;
    graph.setEnabled(false);
    graph.shadowVisible = node.getAttribute('shadow') == '1';
    var bgImage = node.getAttribute('backgroundImage');
    if (bgImage != null && bgImage.length > 0) {
      graph.setBackgroundImage(graph.parseBackgroundImage(bgImage));
    }
    var bg = node.getAttribute('background');
    if (bg == null || bg == '' || bg == mxConstants.NONE) {
      bg = white;
    }
    new mxCodec(doc).decode(node, graph.getModel());
    // 'light' pins the colours: without it the SVG would switch to draw.io's dark
    // palette in a dark-mode viewer while the PNG stays light.
    var svg = graph.getSvg(bg, scale, border, false, null, true, null, null, null,
      graph.shadowVisible, null, 'light', 'diagram');
    if (graph.shadowVisible) {
      graph.addSvgShadow(svg);
    }
    return {
      svg: Graph.xmlDeclaration + '\\n' + mxUtils.getXml(svg),
      width: parseInt(svg.getAttribute('width')),
      height: parseInt(svg.getAttribute('height'))
    };
  } catch (e) {
    return {error: String(e && e.message ? e.message : e)};
  } finally {
    if (graph != null) {
      graph.destroy();
    }
    holder.removeChild(container);
  }
}"""

# Shows the serialized SVG (not the live DOM node) so the PNG is exactly what the
# SVG file holds, then waits until its images and fonts are in.
SHOW_SVG = """async (text) => {
  var shot = document.getElementById('clm-shot');
  shot.textContent = '';
  var doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  if (doc.getElementsByTagName('parsererror').length > 0) {
    return {error: 'draw.io produced an SVG that does not parse'};
  }
  var svg = document.importNode(doc.documentElement, true);
  svg.style.display = 'block';
  shot.appendChild(svg);
  var images = Array.from(svg.getElementsByTagNameNS('http://www.w3.org/2000/svg', 'image'));
  await Promise.all(images.map(function (image) {
    var href = image.getAttribute('href') || image.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
    if (!href) {
      return null;
    }
    var probe = new Image();
    probe.src = href;
    return probe.decode().catch(function () {});
  }));
  await document.fonts.ready;
  await new Promise(function (done) {
    requestAnimationFrame(function () { requestAnimationFrame(done); });
  });
  var box = svg.getBoundingClientRect();
  return {x: box.left, y: box.top, width: box.width, height: box.height};
}"""

CLEAR_SHOT = "() => { document.getElementById('clm-shot').textContent = ''; }"

EMPTY_MODEL = (
    '<mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/></root></mxGraphModel>'
)

# What mxUtils.zapGremlins strips from inflated pages: control characters XML forbids.
GREMLINS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class DrawioPage:
    name: str
    model: str  # the page's <mxGraphModel> as XML text


def page_names(data: bytes) -> list[str]:
    """The names of a file's pages in order, without decompressing or rendering anything."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return [""]
    if root.tag != "mxfile":
        return [""]
    names = [diagram.get("name", "") for diagram in root.findall("diagram")]
    return names or [""]


def parse_pages(source: str | Path, data: bytes) -> list[DrawioPage]:
    """Every page of a .drawio file as plain mxGraphModel XML; DiagramError when malformed."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        line, column = err.position
        reason = str(err).split(": line ")[0]
        raise DiagramError(f"{source}:{line}:{column + 1}: not well-formed XML: {reason}") from None
    if root.tag == "mxGraphModel":
        return [DrawioPage("", _xml(root))]
    if root.tag != "mxfile":
        raise DiagramError(
            f"{source}: the root element is <{_local(root.tag)}>, not <mxfile> or <mxGraphModel>: "
            "not a draw.io file (save it from draw.io as .drawio)"
        )
    diagrams = root.findall("diagram")
    if not diagrams:
        raise DiagramError(f"{source}: the file has no pages (<diagram> elements)")
    return [_page(source, number, diagram) for number, diagram in enumerate(diagrams, 1)]


def _page(source: str | Path, number: int, diagram: ET.Element) -> DrawioPage:
    name = diagram.get("name", "")
    label = _label(number, name)
    # As Editor.parseDiagramNode: text content is a compressed model, else the first
    # child element is the model itself, else the page is empty.
    text = (diagram.text or "").strip()
    children = list(diagram)
    if text:
        return DrawioPage(name, _decompress(source, label, text))
    if not children:
        return DrawioPage(name, EMPTY_MODEL)
    if children[0].tag != "mxGraphModel":
        raise DiagramError(
            f"{source}: {label} holds <{_local(children[0].tag)}> where <mxGraphModel> belongs"
        )
    return DrawioPage(name, _xml(children[0]))


def _decompress(source: str | Path, label: str, text: str) -> str:
    try:
        deflated = base64.b64decode("".join(text.split()), validate=True)
        inflated = zlib.decompress(deflated, wbits=-15).decode("utf-8")
        xml = GREMLINS.sub("", unquote(inflated, errors="strict"))
        model = ET.fromstring(xml)
    except (binascii.Error, zlib.error, UnicodeDecodeError, ET.ParseError) as err:
        raise DiagramError(
            f"{source}: {label}: its compressed content cannot be decoded ({err}); "
            "open and save the file in draw.io again"
        ) from None
    if model.tag != "mxGraphModel":
        raise DiagramError(
            f"{source}: {label}: decompresses to <{_local(model.tag)}>, not <mxGraphModel>"
        )
    return xml


def _local(tag: str) -> str:
    """A tag as written in the file: ElementTree spells namespaced ones {uri}name."""
    return tag.rpartition("}")[2]


def _xml(element: ET.Element) -> str:
    element.tail = None
    return ET.tostring(element, encoding="unicode")


# Playwright's sync API runs an event loop in the thread that started it and
# refuses to start a second one there: the renderers of one thread share it, the
# last to close stops it. Per thread and process (a forked child starts its own):
# a deliberate registry (tests/test_process_state.py), mirroring Playwright's rule.
_drivers = threading.local()


def _acquire_driver() -> Playwright:
    if getattr(_drivers, "pid", None) != os.getpid():
        # A forked child must not talk to its parent's driver.
        _drivers.playwright, _drivers.users, _drivers.pid = None, 0, os.getpid()
    if _drivers.playwright is None:
        from playwright.sync_api import sync_playwright

        _drivers.playwright = sync_playwright().start()
    _drivers.users += 1
    return _drivers.playwright


def _release_driver(playwright: Playwright) -> None:
    if getattr(_drivers, "playwright", None) is not playwright or _drivers.pid != os.getpid():
        return
    _drivers.users -= 1
    if _drivers.users <= 0:
        _drivers.playwright, _drivers.users = None, 0
        with contextlib.suppress(Exception):
            playwright.stop()


class DrawioRenderer:
    """One browser per worker process, started on the first render, reused for every later one."""

    def __init__(self) -> None:
        self.started = 0
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._page: Page | None = None
        self._pid: int | None = None

    def render(
        self, source: str | Path, data: bytes, formats: tuple[str, ...]
    ) -> list[tuple[str, bytes]]:
        unknown = set(formats) - {"png", "svg"}
        if unknown:
            raise ValueError(f"unknown formats {sorted(unknown)}")
        pages = parse_pages(source, data)
        page = self._ready_page()
        names = iter(picture_names(str(source), len(pages), formats))
        results: list[tuple[str, bytes]] = []
        for number, drawio_page in enumerate(pages, 1):
            where = _label(number, drawio_page.name)
            svg, png = self._render_page(page, source, where, drawio_page.model, "png" in formats)
            for ext in formats:
                results.append((next(names), png if ext == "png" else svg))
        return results

    def close(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._page = self._browser = self._playwright = None
        # A forked child shares the parent's pipes: only the process that started the
        # browser may stop it.
        if self._pid != os.getpid():
            return
        # Closing is also the way out after the browser died: whatever is gone already
        # must not hide the error that brought us here.
        if browser is not None:
            with contextlib.suppress(Exception):
                browser.close()
        if playwright is not None:
            _release_driver(playwright)

    def __enter__(self) -> DrawioRenderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _ready_page(self) -> Page:
        if self._page is not None and self._pid == os.getpid() and not self._page.is_closed():
            return self._page
        self.close()
        self._page = self._start()
        return self._page

    def _start(self) -> Page:
        executable = tools.chromium()
        static = tools.drawio_viewer()
        try:
            from playwright.sync_api import Error
        except ImportError:
            raise MissingTool(
                "playwright", "Python's playwright is not installed: pip install playwright"
            ) from None
        self._pid = os.getpid()
        try:
            self._playwright = _acquire_driver()
        except Error as err:
            raise MissingTool("playwright", f"Playwright's driver does not start: {err}") from None
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=executable, args=list(CHROMIUM_ARGS)
            )
        except Error as err:
            self.close()
            raise MissingTool(
                "chromium", f"Chromium at {executable} does not start: {err}"
            ) from None
        self.started += 1
        try:
            context = self._browser.new_context(device_scale_factor=SCALE)
            page = context.new_page()
            page.route("**/*", lambda route: _serve(route, static))
            page.goto(ORIGIN + "index.html", wait_until="load")
            if not page.evaluate(PAGE_SETUP):
                raise DiagramError(f"draw.io's viewer in {static} did not load")
        except Error as err:
            self.close()
            raise DiagramError(f"draw.io's viewer in {static} did not load: {err}") from None
        return page

    def _render_page(
        self, page: Page, source: str | Path, where: str, model: str, png: bool
    ) -> tuple[bytes, bytes]:
        from playwright.sync_api import Error

        try:
            drawn = page.evaluate(RENDER_SVG, [model, 1, BORDER, WHITE])
            if "error" in drawn:
                raise DiagramError(f"{source}: {where}: draw.io cannot draw it: {drawn['error']}")
            svg = str(drawn["svg"]).encode("utf-8")
            if not png:
                return svg, b""
            # A viewport the size of the SVG, set before it is shown: resizing after
            # layout shifted labels by a pixel, and a smaller one would cut the shot.
            size = {"width": drawn["width"], "height": drawn["height"]}
            if page.viewport_size != size:
                page.set_viewport_size(size)
            box = page.evaluate(SHOW_SVG, drawn["svg"])
            if "error" in box:
                raise DiagramError(f"{source}: {where}: {box['error']}")
            shot = page.screenshot(type="png", clip=box, animations="disabled", caret="hide")
            page.evaluate(CLEAR_SHOT)
        except Error as err:
            # The page or browser is gone; the next render starts a fresh one.
            self.close()
            raise DiagramError(f"{source}: {where}: the browser failed: {err}") from None
        return svg, shot


def _label(number: int, name: str) -> str:
    return f'page {number} "{name}"' if name else f"page {number}"


def _serve(route: Route, static: Path) -> None:
    url = route.request.url
    if url == ORIGIN + "index.html":
        scripts = "\n".join(f'<script src="{name}"></script>' for name in VIEWER_FILES)
        route.fulfill(body=PAGE_HTML.replace("SCRIPTS", scripts), content_type="text/html")
    elif url.startswith(ORIGIN) and url[len(ORIGIN) :] in VIEWER_FILES:
        route.fulfill(path=static / url[len(ORIGIN) :], content_type="text/javascript")
    else:
        # Fonts, images, MathJax, stencil and shape libraries from draw.io's servers:
        # a render must depend on nothing but the file and the pinned viewer.
        route.abort()
