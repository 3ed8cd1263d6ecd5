"""``clm serve`` and ``doit auto --serve``: the watcher, with a browser preview beside it."""

from __future__ import annotations

import errno
import threading
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING

from clm.plan.variants import Kind
from clm.serve.news import Newsroom
from clm.serve.server import PreviewServer
from clm.session.reporter import Reporter

if TYPE_CHECKING:
    from clm.watch.cycles import Cycle, Listened, Watched

DEFAULT_PORT = 8000
DEFAULT_HOST = "127.0.0.1"


class PortUnavailable(Exception):
    pass


class Preview:
    """The web server as the watcher's companion and listener."""

    def __init__(
        self,
        port: int = DEFAULT_PORT,
        host: str = DEFAULT_HOST,
        *,
        open_browser: bool = False,
        kinds: tuple[Kind, ...] | None = None,
    ):
        self.newsroom = Newsroom()
        try:
            # Bound at once, so that a port in use is said before the course is planned.
            self.server = PreviewServer((host, port), self.newsroom, kinds)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                reason = "is in use (is another `clm serve` running?)"
            else:
                reason = f"cannot be listened on ({error.strerror or error})"
            raise PortUnavailable(
                f"port {port} on {host} {reason}; choose another with --port N"
            ) from None
        self.open_browser = open_browser
        self.thread: threading.Thread | None = None

    def attach(self, watcher: Listened) -> None:
        self.server.course_root = Path.cwd()  # the watcher works in the course root
        watcher.listener = self
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="clm-preview",
            daemon=True,
        )
        self.thread.start()
        watcher.reporter.line(f"clm: serving {self.server.url} (the course page; Ctrl-C ends)")
        if not self.server.this_machine_only:
            watcher.reporter.warning(exposure_warning(self.server.server_address[0]))

    def cycle_started(self, watched: Watched, tasks: set[str]) -> None:
        self.newsroom.cycle_started(watched, tasks)

    def pages_written(self, watched: Watched, pages: list[str]) -> None:
        self.newsroom.pages_written(watched, pages)

    def cycle_finished(self, watched: Watched, cycle: Cycle) -> None:
        self.newsroom.cycle_finished(watched, cycle)
        if self.open_browser and cycle.number == 1:
            webbrowser.open(self.server.url)

    def close(self) -> None:
        self.newsroom.close()
        if self.thread is not None:
            self.server.shutdown()
        self.server.server_close()


def exposure_warning(host: str) -> str:
    return (
        f"clm: warning: serving on {host}, beyond this machine: anyone who can reach it "
        "on the network reads every output, solutions and speaker notes included (the "
        "preview has no login). Serve on 127.0.0.1 (the default) unless that is meant."
    )


def serve_course(
    spec_file: Path,
    jobs: int | None = None,
    *,
    port: int = DEFAULT_PORT,
    host: str = DEFAULT_HOST,
    open_browser: bool = False,
    languages: tuple[str, ...] | None = None,
    kinds: tuple[Kind, ...] | None = None,
) -> int:
    """Watch the course and serve its outputs until Ctrl-C; the exit code.

    ``languages`` narrows the watcher's plan, and with it the course page.
    """
    from clm.watch.engine import watch_course

    reporter = Reporter()
    try:
        preview = Preview(port, host, open_browser=open_browser, kinds=kinds)
    except PortUnavailable as error:
        reporter.error(f"error: {error}")
        return 2
    return watch_course(spec_file, jobs, languages=languages, companion=preview, reporter=reporter)
