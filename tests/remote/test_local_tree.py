"""A store folder walked without following links, both ways: relative to open folders
(POSIX), and by lstat checks of each folder on the way (Windows, simulated here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clm.remote import local
from clm.remote.local import LocalTree, NotAFile, TooBig

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links made freely")


@pytest.fixture(params=["relative", "checked"])
def tree(request, tmp_path, monkeypatch) -> LocalTree:
    if request.param == "checked":
        monkeypatch.setattr(local, "RELATIVE_OPEN", False)
    root = tmp_path / "store"
    (root / "ac/ci-main").mkdir(parents=True)
    (root / "ac/ci-main/entry.json").write_text("{}")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "mine.json").write_text("mine")
    (root / "ac/evil").symlink_to(outside, target_is_directory=True)
    (root / "ac/ci-main/link.json").symlink_to(outside / "mine.json")
    return LocalTree(str(root))


def _outside(tree: LocalTree) -> Path:
    return Path(tree.root).parent / "outside"


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_reads_stop_at_a_link_and_at_the_limit(tree):
    assert tree.read("ac/ci-main/entry.json", 2) == b"{}"
    with pytest.raises(TooBig):
        tree.read("ac/ci-main/entry.json", 1)
    for through_a_link in ("ac/evil/mine.json", "ac/ci-main/link.json"):
        with pytest.raises(NotAFile, match="symbolic link"):
            tree.read(through_a_link, 100)
    with pytest.raises(FileNotFoundError):
        tree.read("ac/ci-main/none.json", 100)


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_listing_and_walking_never_enter_a_link(tree):
    assert tree.listing("ac/evil") == []
    assert tree.folders("ac") == ["ci-main"]
    walked = {path: info for path, info in tree.walk("ac", 3)}
    assert sorted(walked) == ["ac/ci-main/entry.json", "ac/ci-main/link.json", "ac/evil"]


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_writes_and_removals_never_reach_through_a_link(tree):
    with pytest.raises(NotAFile):
        tree.write("ac/evil/new.json", b"{}")
    tree.remove("ac/evil/mine.json")
    tree.remove("ac/ci-main/link.json")  # the link itself goes, never what it names
    assert sorted(p.name for p in _outside(tree).iterdir()) == ["mine.json"]
    assert not os.path.lexists(Path(tree.root) / "ac/ci-main/link.json")
    tree.write("cas/ab/blob", b"data")
    assert tree.read("cas/ab/blob", 4) == b"data" and tree.is_file("cas/ab/blob")
    assert sorted(p.name for p in (Path(tree.root) / "cas/ab").iterdir()) == ["blob"]
