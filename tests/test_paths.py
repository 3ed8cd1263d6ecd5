"""The two ways clm asks whether a path stays in a folder: resolved and lexical."""

from __future__ import annotations

import os
from pathlib import PurePosixPath

import pytest

from clm.paths import lexically_within, plain_relative, stays_within
from clm.serve.server import inside
from clm.tasks.files import remove_empty_folders


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("slides/a", "slides/a"),
        ("./slides//a/", "slides/a"),
        ("a/../b", "b"),
        ("a/..", "."),
        ("", "."),
        ("..foo/x", "..foo/x"),  # a name that starts with two dots climbs nowhere
    ],
)
def test_plain_relative_normalises_without_the_disk(written, normalised):
    assert plain_relative(written) == PurePosixPath(normalised)


@pytest.mark.parametrize("written", ["..", "../x", "a/../../x", "/etc", "/"])
def test_plain_relative_refuses_what_climbs_out_or_is_absolute(written):
    assert plain_relative(written) is None


def test_lexically_within_compares_whole_parts():
    assert lexically_within("output/x", "output")
    assert lexically_within("output", "output/")
    assert not lexically_within("outputs/x", "output")
    assert lexically_within("anything/at/all", ".")


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_stays_within_follows_symlinks(tmp_path):
    inner, outer = tmp_path / "course", tmp_path / "elsewhere"
    inner.mkdir()
    outer.mkdir()
    (inner / "out").symlink_to(outer)
    assert stays_within(inner / "a" / ".." / "b", inner)
    assert not stays_within(inner / "out" / "x", inner)
    assert lexically_within("out/x", ".")  # the lexical answer does not see the link


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_the_preview_serves_nothing_a_link_leads_out_to(tmp_path):
    root, outside = tmp_path / "output", tmp_path / "secret"
    root.mkdir()
    outside.mkdir()
    (outside / "key.txt").write_text("x")
    (root / "page.html").write_text("page")
    (root / "leak").symlink_to(outside)
    assert inside(root.resolve(), "/page.html") == (root / "page.html").resolve()
    assert inside(root.resolve(), "/leak/key.txt") is None
    assert inside(root.resolve(), "/../secret/key.txt") is None


@pytest.mark.posix_only(
    "makes symbolic links (Windows allows them only to administrators or in developer mode)"
)
def test_empty_folders_are_removed_up_to_a_symlinked_stop(tmp_path):
    real_output = tmp_path / "real"
    deep = real_output / "a" / "b"
    deep.mkdir(parents=True)
    os.symlink(real_output, tmp_path / "output")
    remove_empty_folders(tmp_path / "output" / "a" / "b", tmp_path / "output")
    assert real_output.is_dir() and not (real_output / "a").exists()
