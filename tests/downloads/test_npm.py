"""Fetching a pinned file out of an npm tarball, from a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from clm.downloads import npm
from tests.downloads.registry import Registry, tarball
from tests.downloads.registry import integrity as integrity_of


def _publish(registry: Registry, files: dict[str, bytes]) -> str:
    body = tarball(files)
    registry.files["/tool/-/tool-1.0.0.tgz"] = body
    return integrity_of(body)


def test_a_file_is_fetched_once_and_kept(registry: Registry) -> None:
    integrity = _publish(registry, {"package/build/tool.jar": b"jar", "package/README": b"r"})
    pinned = npm.NpmFile("tool", "1.0.0", integrity, "package/build/tool.jar")
    assert npm.cached(pinned) is None

    fetched = npm.fetch(pinned)

    assert fetched.read_bytes() == b"jar"
    assert npm.cached(pinned) == fetched
    assert npm.fetch(pinned) == fetched
    assert registry.requests == 1
    assert [p.name for p in fetched.parent.iterdir()] == ["tool.jar"]


def test_a_folder_is_fetched_whole(registry: Registry) -> None:
    integrity = _publish(
        registry,
        {"package/es5/tex-svg.js": b"js", "package/es5/a/b.js": b"b", "package/other": b"o"},
    )
    pinned = npm.NpmFile("tool", "1.0.0", integrity, "package/es5/")

    fetched = npm.fetch(pinned)

    assert sorted(str(p.relative_to(fetched)) for p in fetched.rglob("*") if p.is_file()) == [
        "a/b.js",
        "tex-svg.js",
    ]


def test_a_tarball_with_another_checksum_is_refused_and_nothing_kept(
    registry: Registry,
) -> None:
    _publish(registry, {"package/build/tool.jar": b"jar"})
    pinned = npm.NpmFile("tool", "1.0.0", integrity_of(b"another"), "package/build/tool.jar")

    with pytest.raises(npm.FetchError, match=r"is not the pinned tool@1\.0\.0"):
        npm.fetch(pinned)

    assert npm.cached(pinned) is None
    assert [p.name for p in npm.place(pinned).parent.iterdir()] == []


def test_a_download_that_breaks_off_keeps_nothing(registry: Registry) -> None:
    integrity = _publish(registry, {"package/build/tool.jar": b"jar" * 10_000})
    registry.cut_short = True
    pinned = npm.NpmFile("tool", "1.0.0", integrity, "package/build/tool.jar")

    with pytest.raises(npm.FetchError, match=r"tool@1\.0\.0"):
        npm.fetch(pinned)

    assert npm.cached(pinned) is None


def test_an_unreachable_registry_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setenv(npm.REGISTRY_VARIABLE, f"http://127.0.0.1:{port}")
    monkeypatch.setenv(npm.CACHE_VARIABLE, str(tmp_path / "cache"))
    pinned = npm.NpmFile("tool", "1.0.0", integrity_of(b""), "package/x")

    with pytest.raises(npm.FetchError) as raised:
        npm.fetch(pinned)

    assert "could not download tool@1.0.0" in str(raised.value)
    assert npm.REGISTRY_VARIABLE in str(raised.value)


def test_a_member_the_package_lacks_is_named(registry: Registry) -> None:
    integrity = _publish(registry, {"package/build/tool.jar": b"jar"})
    pinned = npm.NpmFile("tool", "1.0.0", integrity, "package/build/missing.jar")

    with pytest.raises(npm.FetchError, match=r"has no package/build/missing\.jar"):
        npm.fetch(pinned)


def test_entries_that_climb_out_of_the_folder_are_skipped(registry: Registry) -> None:
    integrity = _publish(registry, {"package/es5/../../evil": b"x", "package/es5/ok.js": b"ok"})
    pinned = npm.NpmFile("tool", "1.0.0", integrity, "package/es5/")

    fetched = npm.fetch(pinned)

    assert [p.name for p in fetched.rglob("*")] == ["ok.js"]
    assert not (fetched.parent.parent / "evil").exists()
