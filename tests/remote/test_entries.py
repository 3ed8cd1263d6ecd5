"""Signing and checking shared-store entries: the one place the build and `clm cache` use."""

from __future__ import annotations

import dataclasses

from clm.remote.entries import Flaw, blob_sizes, flaw_of, holds_blob, moved_entry, signed_entry
from clm.remote.signing import Signer, Verifier, keygen
from clm.remote.store import Entry


def _keys(folder):
    folder.mkdir()
    private, public = keygen(folder)
    return Signer(private), Verifier(public)


def test_a_signed_entry_verifies_in_its_place_only(tmp_path):
    signer, verifier = _keys(tmp_path / "course")
    entry = signed_entry(signer, "ci-main", "executions", "k" * 64, b"result")
    assert (entry.namespace, entry.kind, entry.key, entry.size) == (
        "ci-main", "executions", "k" * 64, 6,
    )  # fmt: skip
    assert flaw_of(entry, verifier, in_its_place=True) is None
    assert flaw_of(entry, verifier, in_its_place=False) is Flaw.MISPLACED


def test_an_unsigned_or_foreign_entry_is_not_trusted(tmp_path):
    signer, verifier = _keys(tmp_path / "course")
    stranger, _ = _keys(tmp_path / "other")
    entry = signed_entry(signer, "ci-main", "renders", "k" * 64, b"png")
    assert flaw_of(dataclasses.replace(entry, signature=""), verifier, True) is Flaw.UNSIGNED
    foreign = signed_entry(stranger, "ci-main", "renders", "k" * 64, b"png")
    assert flaw_of(foreign, verifier, True) is Flaw.FOREIGN_KEY
    # The signature covers the namespace: an entry edited to another place fails.
    edited = dataclasses.replace(entry, namespace="pr-1")
    assert flaw_of(edited, verifier, True) is Flaw.FOREIGN_KEY


def test_a_moved_entry_is_signed_anew_for_its_new_namespace(tmp_path):
    signer, verifier = _keys(tmp_path / "course")
    entry = signed_entry(signer, "pr-7", "executions", "k" * 64, b"result")
    moved = moved_entry(signer, entry, "ci-main")
    assert (moved.namespace, moved.blob, moved.size) == ("ci-main", entry.blob, entry.size)
    assert flaw_of(moved, verifier, True) is None


def test_a_blob_is_held_only_with_its_size_and_digest(tmp_path):
    signer, _ = _keys(tmp_path / "course")
    entry = signed_entry(signer, "ci-main", "executions", "k" * 64, b"result")
    assert holds_blob(entry, b"result")
    assert not holds_blob(entry, b"resulT")
    assert not holds_blob(entry, b"result and more")
    small = Entry("a", "executions", "ci-main", "d" * 64, 3)
    assert blob_sizes([small, dataclasses.replace(small, size=9)]) == {"d" * 64: 9}
