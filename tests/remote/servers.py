"""Real servers on 127.0.0.1 for the shared-store tests: a web server publishing a folder,
and a blackhole that takes connections and never answers."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + 120  # a hang guard, generous for a busy machine
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
            return
        assert process is None or process.poll() is None, "the server died"
        assert time.monotonic() < deadline, f"nothing listens on port {port}"
        time.sleep(0.1)


@contextlib.contextmanager
def web_server(folder: Path) -> Iterator[str]:
    """Python's web server publishing ``folder``; its URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.kill()
        server.wait()


class Blackhole:
    """A TCP listener on 127.0.0.1 that accepts every connection and never sends a byte."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port: int = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):  # closed: the test is over
            while True:
                self.accepted.append(self.listener.accept()[0])

    def close(self) -> None:
        self.listener.close()
        for connection in self.accepted:
            connection.close()


@contextlib.contextmanager
def blackhole() -> Iterator[int]:
    """A Blackhole for the block; its port."""
    hole = Blackhole()
    try:
        yield hole.port
    finally:
        hole.close()


@contextlib.contextmanager
def forbidding_web_server(folder: Path) -> Iterator[str]:
    """A web server publishing ``folder`` that answers 403 for a file it lacks, as a
    bucket does that may not be listed; its URL."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Forbidding(SimpleHTTPRequestHandler):
        def send_error(self, code, message=None, explain=None):
            super().send_error(403 if code == 404 else code, message, explain)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Forbidding, directory=str(folder))
    )
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
