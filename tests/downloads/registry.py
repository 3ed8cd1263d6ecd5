"""A real npm registry on 127.0.0.1 for the tests that fetch: it serves the tarballs a test
publishes, and the real one of a pinned file, taken from npm's own cache when it is there."""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import os
import tarfile
import threading
import urllib.request
from pathlib import Path

import platformdirs

from clm.downloads import npm


def tarball(files: dict[str, bytes]) -> bytes:
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:gz") as archive:
        for name, content in files.items():
            entry = tarfile.TarInfo(name)
            entry.size = len(content)
            archive.addfile(entry, io.BytesIO(content))
    return data.getvalue()


def integrity(body: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(body).digest()).decode()


class Registry:
    """Serves /<package>/-/<name>-<version>.tgz; counts the requests it answered."""

    def __init__(self) -> None:
        self.tarballs: dict[str, bytes] = {}
        self.requests = 0
        self.cut_short = False
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                registry.requests += 1
                body = registry.tarballs.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2] if registry.cut_short else body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def publish(self, file: npm.NpmFile, body: bytes) -> None:
        self.tarballs[file.url("")] = body


def real_tarball(file: npm.NpmFile) -> bytes:
    """The published tarball of ``file``: out of npm's cache when npm fetched it, else
    downloaded from the real registry once per user and kept for the next test runs."""
    algorithm, _, digest = file.integrity.partition("-")
    hexdigest = base64.b64decode(digest).hex()
    npm_cache = Path.home() / ".npm" / "_cacache" / "content-v2" / algorithm
    for kept in (
        npm_cache / hexdigest[:2] / hexdigest[2:4] / hexdigest[4:],
        Path(platformdirs.user_cache_dir("clm-tests", appauthor=False)) / file.tarball_name,
    ):
        if kept.is_file() and integrity(body := kept.read_bytes()) == file.integrity:
            return body
    with urllib.request.urlopen(file.url(npm.REGISTRY), timeout=300) as response:
        body = response.read()
    assert integrity(body) == file.integrity, f"the registry served another {file.label}"
    kept.parent.mkdir(parents=True, exist_ok=True)
    part = kept.with_name(f"{kept.name}.{os.getpid()}.part")
    part.write_bytes(body)
    part.replace(kept)
    return body
