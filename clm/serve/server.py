"""The preview's web server: the output folder, the course page and a stream of news.

The standard library's threaded HTTP server, one thread per connection, as
mkdocs' ``serve`` does: a preview has a handful of browsers, and each page
holds one Server-Sent Events connection (``/_clm/events``) on which it hears
that it was rewritten or that its rebuild failed. HTML pages get the live
script added as they are sent; the files on disk are never touched.

Only files below the output folder are served: a path with ``..`` in it, or
one that leads outside through a link, is 404.
"""

from __future__ import annotations

import html
import ipaddress
import json
import mimetypes
import os
import socket
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from clm.paths import is_within
from clm.plan.outputs import OutputPlan
from clm.plan.variants import Kind
from clm.serve.course_page import CourseRows, course_rows, render_course
from clm.serve.news import Newsroom

KEEPALIVE_SECONDS = 15.0  # a comment on idle streams, so that a dead browser is noticed
RETRY_MILLISECONDS = 500  # how soon a browser reconnects to a restarted server
LIVE_SCRIPT = "/_clm/live.js"
EVENTS = "/_clm/events"
COURSE_PART = "/_clm/course"


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # a browser's open stream never holds up Ctrl-C
    # A course page opens dozens of pictures and scripts at once, and a burst of
    # connections beyond the listen backlog has its SYNs dropped: the browser tries
    # again after 1, 3, 7, ... seconds, and the page stalls for half a minute.
    request_queue_size = 1024

    def __init__(
        self,
        address: tuple[str, int],
        newsroom: Newsroom,
        kinds: tuple[Kind, ...] | None = None,
    ):
        # An instance attribute before the socket is made: ::1 and :: need IPv6.
        self.address_family = address_family(address[0])
        super().__init__(address, PreviewHandler)
        self.newsroom = newsroom
        self.kinds = kinds
        self.course_root: Path | None = None  # the watcher's working directory, once attached
        self._rows: tuple[OutputPlan | None, CourseRows | None] = (None, None)
        self._rows_lock = threading.Lock()
        self.script = files("clm.serve").joinpath("live.js").read_bytes()

    @property
    def this_machine_only(self) -> bool:
        """Whether only this machine can reach the server (it listens on loopback)."""
        return _loopback(self.server_address[0])

    def admits(self, host_header: str) -> bool:
        """Whether a request's Host names this server as a browser on this machine
        would; any host when it serves beyond this machine (--host)."""
        if not self.this_machine_only:
            return True
        name = host_header.strip().lower()
        name = name[: name.index("]") + 1] if name.startswith("[") else name.partition(":")[0]
        return name == "localhost" or name.endswith(".localhost") or _loopback(name.strip("[]"))

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{url_host(host)}:{port}/"

    def output_root(self) -> Path | None:
        folder = self.newsroom.output_folder()
        if self.course_root is None or folder is None:
            return None
        return (self.course_root / folder).resolve()

    def rows(self, plan: OutputPlan | None) -> CourseRows | None:
        """The course page's rows for ``plan``, computed once per plan."""
        if plan is None:
            return None
        with self._rows_lock:
            known, rows = self._rows
            if known is not plan:
                rows = course_rows(plan, self.kinds)
                self._rows = (plan, rows)
            return rows


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "clm-preview"

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def log_message(self, format: str, *args) -> None:
        pass  # an author wants the watcher's lines, not an access log

    def _answer(self, body: bool) -> None:
        try:
            if not self.server.admits(self.headers.get("Host", "")):
                # Another site's page, reaching this machine through a DNS name that
                # points here, must not read the course (its solutions, its notes).
                self._error(
                    HTTPStatus.FORBIDDEN,
                    "This preview serves this machine only and answers requests that "
                    "name it (127.0.0.1, localhost, [::1]), so that no other site's page "
                    f"can read the course. Open {self.server.url} instead.",
                    body,
                )
                return
            split = urlsplit(self.path)
            path = unquote(split.path)
            if path == "/":
                self._course_page(whole=True, body=body)
            elif path == COURSE_PART:
                self._course_page(whole=False, body=body)
            elif path == LIVE_SCRIPT:
                self._send(self.server.script, "text/javascript; charset=utf-8", body)
            elif path == EVENTS:
                self._events(parse_qs(split.query), body)
            else:
                self._file(path, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away

    # -- answers ------------------------------------------------------------

    def _send(
        self, content: bytes, content_type: str, body: bool, status: HTTPStatus = HTTPStatus.OK
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(content)))
        # Every answer may change with the next save: the browser always asks again.
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if body:
            self.wfile.write(content)

    def _error(self, status: HTTPStatus, explanation: str, body: bool) -> None:
        self._send(error_page(status, explanation), "text/html; charset=utf-8", body, status)

    def _not_found(self, path: str, body: bool) -> None:
        self._error(
            HTTPStatus.NOT_FOUND,
            f"{path} is no file below the course's output folder (it may not be built "
            "yet, or its deck was renamed). The course page at / links every output.",
            body,
        )

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The standard library's own errors (a malformed request, a method other than
        GET and HEAD) as the preview's other error pages."""
        status = HTTPStatus(code)
        self.close_connection = True
        explanation = f"{message or status.description}: the preview answers a browser's GET."
        self._error(status, explanation, getattr(self, "command", None) != "HEAD")

    def _course_page(self, whole: bool, body: bool) -> None:
        snapshot = self.server.newsroom.snapshot()
        page = render_course(self.server.rows(snapshot.plan), snapshot, whole=whole)
        self._send(page.encode(), "text/html; charset=utf-8", body)

    def _file(self, path: str, body: bool) -> None:
        root = self.server.output_root()
        found = inside(root, path) if root is not None else None
        if found is None:
            if path == "/favicon.ico":  # asked for by every browser; none is no error
                self._send(b"", "image/x-icon", body, HTTPStatus.NO_CONTENT)
                return
            self._not_found(path, body)
            return
        if found.is_dir():
            if not path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", quote(path + "/"))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            index = found / "index.html"
            if not index.is_file():
                self._send(listing(found, path), "text/html; charset=utf-8", body)
                return
            found = index
        content_type = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
        page = found.relative_to(root).as_posix()  # type: ignore[arg-type]
        # The version before the bytes: a page rewritten in between is reloaded once
        # more, where the other order could pair old bytes with the new version.
        version = self.server.newsroom.version(page)
        try:
            content = found.read_bytes()
        except OSError:  # gone between the look and the read
            self._not_found(path, body)
            return
        if content_type == "text/html":
            content = with_live_script(content, page, version)
        if content_type.startswith("text/") or found.suffix in (".ipynb", ".json"):
            content_type += "; charset=utf-8"
        self._send(content, content_type, body)

    def _events(self, query: dict[str, list[str]], body: bool) -> None:
        page = query.get("page", [None])[0]
        held = query.get("version", [""])[0]
        newsroom = self.server.newsroom
        seq, version, failure = newsroom.tune_in(page)
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not body:  # HEAD: the headers are the whole answer, the stream never starts
            return
        self._stream(f"retry: {RETRY_MILLISECONDS}\n\n")
        if page is not None:
            if failure is not None:
                self._event("page", {"failed": failure, "reload": False})
            elif version != held:
                self._event("page", {"failed": None, "reload": True})
        while True:
            news = newsroom.wait(seq, KEEPALIVE_SECONDS)
            if news is None:
                if newsroom.closed:
                    return
                # Too far behind to catch up item by item: start afresh.
                seq, version, failure = newsroom.tune_in(page)
                self._event("page" if page else "course", {"failed": failure, "reload": True})
                continue
            if not news:
                self._stream(": still here\n\n")
                continue
            seq = news[-1].seq
            if page is None:
                self._event("course", {"seq": seq})
                continue
            for item in news:
                now_failing = item.failures.get(page)
                if page in item.updated or now_failing != failure:
                    self._event("page", {"failed": now_failing, "reload": page in item.updated})
                    failure = now_failing

    def _event(self, name: str, data: dict) -> None:
        self._stream(f"event: {name}\ndata: {json.dumps(data)}\n\n")

    def _stream(self, text: str) -> None:
        self.wfile.write(text.encode())
        self.wfile.flush()


def address_family(host: str) -> socket.AddressFamily:
    """IPv6 for an IPv6 address (``::1``, ``::``) or a name that has only one."""
    try:
        return socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return socket.AF_INET  # binding then says what is wrong with the name
    families = {family for family, *_ in found}
    return socket.AF_INET if socket.AF_INET in families or not families else socket.AF_INET6


def url_host(host: str) -> str:
    """The host as a URL writes it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host else host


def error_page(status: HTTPStatus, explanation: str) -> bytes:
    """A short page saying what went wrong and what to do; every part escaped."""
    title = html.escape(f"{status.value} {status.phrase}")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'</head><body style="font: 18px system-ui, sans-serif"><h1>{title}</h1>'
        f'<p>{html.escape(explanation)}</p><p><a href="/">course page</a></p></body></html>'
    ).encode()


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def inside(root: Path, path: str) -> Path | None:
    """The file or folder ``path`` (from a URL) names below ``root``; None when it names
    none, or something outside."""
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if any(part == ".." or "\\" in part or "\0" in part for part in parts):
        return None
    try:
        found = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return found if is_within(found, root) else None  # root is resolved (output_root)


def with_live_script(content: bytes, page: str, version: str) -> bytes:
    """The page with the live script before its ``</body>`` (at its end when it has none)."""
    tag = (
        f'<script src="{LIVE_SCRIPT}" data-page="{html.escape(page)}" '
        f'data-version="{html.escape(version)}"></script>\n'
    ).encode()
    end = content.lower().rfind(b"</body>")
    if end < 0:
        return content + tag
    return content[:end] + tag + content[end:]


def listing(folder: Path, path: str) -> bytes:
    """A folder without an index page: links to what it holds."""
    names = sorted(os.listdir(folder), key=str.casefold)
    slashed = [name + "/" if (folder / name).is_dir() else name for name in names]
    items = "\n".join(
        f'<li><a href="{quote(name)}">{html.escape(name)}</a></li>' for name in slashed
    )
    title = html.escape(path)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'</head><body style="font: 18px system-ui, sans-serif"><p><a href="/">course page</a></p>'
        f"<h1>{title}</h1><ul>{items}</ul></body></html>"
    ).encode()
