"""The store is untrusted input: links, FIFOs, huge and deeply nested files, bad pointers.

Each test plants in a real folder what anybody who can write the store could
plant, and checks that clm neither follows it out of the store, nor hangs,
nor reads it whole, nor turns the whole shared cache off for it.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from clm.errors import CourseError
from clm.remote.layered import RemoteCache
from clm.remote.operations import collect_garbage, verify
from clm.remote.settings import RemoteSettings, resolve
from clm.remote.signing import Signer, Verifier, exposed_key_warning
from clm.remote.store import Entry, Store
from clm.state.cache import SqliteResultsCache
from tests.remote.servers import forbidding_web_server, web_server
from tests.remote.test_shared_store import Memory, remote

pytest.importorskip("cryptography")
posix_only = pytest.mark.skipif(os.name != "posix", reason="links, FIFOs and modes of POSIX")


def _pushed(course: Path, store: Path, keys: tuple[str, ...] = ("k1", "k2")) -> None:
    """ci-main's results for ``keys``, with a manifest, as a pushing build leaves them."""
    writer = remote(course, store, push="ci-main")
    memory = Memory()
    for key in keys:
        memory.put("executions", key, f'["{key}"]'.encode())
    assert writer.publish({"executions": list(keys)}, memory, lambda _: None) is not None


def _blob_of(store: Path, key: str) -> Path:
    entry = Entry.from_json(
        (store / "ac/ci-main/executions" / key[:2] / f"{key}.json").read_bytes()
    )
    return store / "cas" / entry.blob[:2] / entry.blob


@posix_only
def test_gc_verify_and_push_never_follow_a_link_out_of_the_store(course, tmp_path):
    store = tmp_path / "store"
    _pushed(course, store)
    outside = tmp_path / "outside"
    (outside / "executions/k9").mkdir(parents=True)
    precious = [outside / "notes.json", outside / "executions/k9/k9.json", outside / "blob"]
    for path in precious:
        path.write_text('{"mine": true}')
    # A namespace folder, a manifest folder, a blob folder and an entry, each a link out.
    (store / "ac/evil").symlink_to(outside, target_is_directory=True)
    (store / "manifests/evil").symlink_to(outside, target_is_directory=True)
    (store / "cas/zz").symlink_to(outside, target_is_directory=True)
    (store / "ac/ci-main/executions/k9").mkdir()
    (store / "ac/ci-main/executions/k9/k9.json").symlink_to(outside / "notes.json")

    report = verify(Store(store.as_uri()), ["ci-main", "evil"], Verifier(course / "clm-cache.pub"))
    assert report.good == 2
    assert report.bad == {"unreadable, it is a symbolic link": 2}  # ac/evil and k9.json
    collected = collect_garbage(Store(store.as_uri()), keep=1, now=1e12)
    assert collected.entries_kept == 2 and collected.blobs_removed == 0
    left = sorted(w.split(" is left alone")[0][len(str(store)) + 1 :] for w in collected.warnings)
    assert left == ["ac/ci-main/executions/k9/k9.json", "ac/evil", "cas/zz", "manifests/evil"]
    assert all(path.read_text() == '{"mine": true}' for path in precious)

    # A pushing build whose namespace folder is a link writes nothing through it.
    (store / "ac/pr-1").symlink_to(outside, target_is_directory=True)
    writer = remote(course, store, push="pr-1")
    assert not writer.push("executions", "k9", b'["new"]')
    [warning] = writer.take_warnings()
    assert "ac/pr-1 is a symbolic link" in warning and "goes on without it" in warning
    assert sorted(p.name for p in outside.rglob("*")) == ["blob", "executions", "k9", "k9.json",
                                                          "notes.json"]  # fmt: skip


@posix_only
def test_a_fifo_in_the_store_is_a_bad_entry_not_a_hang(course, tmp_path):
    store = tmp_path / "store"
    _pushed(course, store)
    blob = _blob_of(store, "k1")
    blob.unlink()
    os.mkfifo(blob)
    entry = store / "ac/ci-main/executions/k2/k2.json"
    entry.unlink()
    os.mkfifo(entry)

    reader = remote(course, store)
    assert reader.fetch([("executions", "k1"), ("executions", "k2")]) == {}
    warnings = reader.take_warnings()
    assert len(warnings) == 1 and "is a FIFO" in warnings[0], warnings
    assert sum(reader.rejected.values()) == 2
    report = verify(Store(store.as_uri()), ["ci-main"], Verifier(course / "clm-cache.pub"))
    assert report.good == 0 and sorted(report.bad) == [
        "its blob is unreadable, it is a FIFO",
        "unreadable, it is a FIFO",
    ]


def test_a_blob_is_read_no_further_than_its_entry_says(course, tmp_path):
    store = tmp_path / "store"
    _pushed(course, store)
    with _blob_of(store, "k1").open("ab") as blob:
        blob.write(b" " * 100_000)  # the entry's digest and size, then more
    reader = remote(course, store)
    assert reader.fetch([("executions", "k1"), ("executions", "k2")]) == {
        ("executions", "k2"): b'["k2"]'
    }
    [warning] = reader.take_warnings()
    assert "is longer than 6 bytes" in warning
    report = verify(Store(store.as_uri()), ["ci-main"], Verifier(course / "clm-cache.pub"))
    assert report.bad == {"its blob is unreadable, it is longer than 6 bytes": 1}


# A child that reads a store whose blob is a sparse file of some GB, printing its own
# peak memory (in KiB) as its parent measures it: only the child's, not pytest's.
_MEASURED = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-c", sys.argv[1], *sys.argv[2:]], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
_FETCH = """
import sys
from pathlib import Path
from clm.remote.layered import RemoteCache
from clm.remote.settings import RemoteSettings
course = Path(sys.argv[2])
settings = RemoteSettings(sys.argv[1], ("ci-main",), None, None, course / "clm-cache.pub")
found = RemoteCache.open(settings).fetch([("executions", "k1"), ("executions", "k2")])
assert list(found) == [("executions", "k2")], found
"""


@pytest.mark.parametrize("served", ["file", "http"])
def test_a_huge_blob_costs_no_memory(course, tmp_path, served):
    store = tmp_path / "store"
    _pushed(course, store)
    size = 3 << 30
    os.truncate(_blob_of(store, "k1"), size)  # sparse: no disk, but 3 GB to whoever reads it
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(web_server(store)) if served == "http" else store.as_uri()
        child = subprocess.run(
            [sys.executable, "-c", _MEASURED, _FETCH, url, str(course)],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        )
    assert child.returncode == 0, child.stderr
    peak = int(child.stdout.split()[-1]) * 1024
    assert peak < size // 6, f"the reader's peak memory was {peak:,} bytes"


DEEP = b"[" * 200_000  # as deep as the probe's manifest
DEEP_ENTRY = b"[" * 60_000  # deep past any recursion limit, yet short enough for an entry


def test_a_deeply_nested_entry_is_unreadable_and_the_rest_is_used(course, tmp_path):
    store = tmp_path / "store"
    _pushed(course, store)
    (store / "ac/ci-main/executions/k1/k1.json").write_bytes(DEEP_ENTRY)
    reader = remote(course, store)
    assert reader.fetch([("executions", "k1"), ("executions", "k2")]) == {
        ("executions", "k2"): b'["k2"]'
    }
    assert reader.off is None
    report = verify(Store(store.as_uri()), ["ci-main"], Verifier(course / "clm-cache.pub"))
    assert report.good == 1 and report.bad == {"unreadable": 1}
    collected = collect_garbage(Store(store.as_uri()), keep=1, now=1e12)
    assert collected.entries_removed == 1 and collected.entries_kept == 1


def test_an_entry_of_absurd_numbers_or_folders_nested_deep_crash_nothing(course, tmp_path):
    store = tmp_path / "store"
    _pushed(course, store)
    entry = store / "ac/ci-main/executions/k1/k1.json"
    entry.write_text(entry.read_text().replace('"size": 6', '"size": 1e400'))
    folder = os.open(store / "ac/ci-main/executions", os.O_RDONLY)
    for _ in range(600):  # past the recursion limit of a recursive walk (of fsspec, say)
        os.mkdir("d", dir_fd=folder)
        inner = os.open("d", os.O_RDONLY, dir_fd=folder)
        os.close(folder)
        folder = inner
    os.close(os.open("x.json", os.O_WRONLY | os.O_CREAT, dir_fd=folder))
    os.close(folder)
    report = verify(Store(store.as_uri()), ["ci-main"], Verifier(course / "clm-cache.pub"))
    assert report.good == 1 and report.bad == {"unreadable": 1}
    assert collect_garbage(Store(store.as_uri()), keep=1, now=1e12).entries_kept == 1


def _manifests(store: Path) -> list[Path]:
    return sorted((store / "manifests/ci-main").glob("*.json"))


@pytest.mark.parametrize(
    "damage",
    ["deep manifest", "garbage pointer", "pointer not UTF-8", "pointer to nothing", "pointer FIFO"],
)
def test_a_bad_newest_manifest_or_pointer_costs_only_what_it_named(course, tmp_path, damage):
    if damage == "pointer FIFO" and not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    store = tmp_path / "store"
    _pushed(course, store, ("k1",))
    _pushed(course, store, ("k1", "k2"))
    newest = _manifests(store)[-1]
    pointer = store / "manifests/ci-main/LATEST"
    if damage == "deep manifest":
        newest.write_bytes(DEEP)
    elif damage == "garbage pointer":
        pointer.write_text("../../etc/passwd")
    elif damage == "pointer not UTF-8":
        pointer.write_bytes(b"\xff\xfe\x00")
    elif damage == "pointer to nothing":
        newest.unlink()
    else:
        pointer.unlink()
        os.mkfifo(pointer)

    local = Memory()
    reader = remote(course, store)
    copied = reader.prefetch(local)
    warnings = reader.take_warnings()
    assert reader.off is None
    if damage in ("deep manifest", "pointer to nothing"):
        # What the damaged manifest named is lost; the one before it is read instead.
        assert copied == 1 and list(local.data) == [("executions", "k1")]
        assert len(warnings) == 1 and newest.name in warnings[0], warnings
    else:
        assert copied == 2
        assert len(warnings) == 1 and "LATEST" in warnings[0], warnings
    assert "the rest of the store is used" in warnings[0]
    # The store is still read for what the manifests lacked.
    assert reader.fetch([("executions", "k2")]) == {("executions", "k2"): b'["k2"]'}


def test_a_manifest_entry_of_a_kind_clm_has_not_is_skipped(course, tmp_path):
    store = tmp_path / "store"
    _pushed(course, store)
    newest = _manifests(store)[-1]
    manifest = json.loads(newest.read_bytes())
    manifest["entries"].insert(0, {**manifest["entries"][0], "kind": "bogus"})
    newest.write_text(json.dumps(manifest))
    local = SqliteResultsCache(tmp_path / "cache.sqlite")  # the real one: it knows two kinds
    reader = remote(course, store)
    assert reader.prefetch(local) == 2 and reader.off is None
    assert reader.take_warnings() == []


def test_gc_names_a_manifest_it_cannot_read(course, tmp_path):
    store = tmp_path / "store"
    _pushed(course, store)
    _manifests(store)[-1].write_bytes(DEEP)
    collected = collect_garbage(Store(store.as_uri()), keep=1, now=1e12)
    [warning] = collected.warnings
    assert _manifests(store)[-1].name in warning and "nests too deep" in warning


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CLM_CACHE_PUSH", "ci-main\n"),  # the probe's: $ matched before the newline
        ("CLM_CACHE_PUSH", "ci-main\r\n"),
        ("CLM_CACHE_PUSH", "ci-main/../x"),
        ("CLM_CACHE_TRUST", "ci-main,Pr-1"),
    ],
)
def test_a_namespace_must_be_one_whole_name(tmp_path, variable, value):
    (tmp_path / "clm-cache.key").write_text("")
    environ = {"CLM_CACHE_REMOTE": (tmp_path / "store").as_uri(), variable: value}
    if variable == "CLM_CACHE_TRUST":
        value = "Pr-1"  # a list: each name is checked on its own
    with pytest.raises(CourseError) as raised:
        resolve(tmp_path, {}, "course.yaml", environ)
    assert f"{variable}: {value!r} is no namespace" in str(raised.value)
    assert "lower-case letters, digits" in str(raised.value)


def test_the_deadline_comes_from_the_environment(tmp_path):
    store = {"CLM_CACHE_REMOTE": (tmp_path / "store").as_uri()}
    assert resolve(tmp_path, {}, "course.yaml", store).timeout == 10
    assert (
        resolve(tmp_path, {}, "course.yaml", {**store, "CLM_CACHE_TIMEOUT": "2.5"}).timeout == 2.5
    )
    with pytest.raises(CourseError, match="CLM_CACHE_TIMEOUT='soon' is no deadline"):
        resolve(tmp_path, {}, "course.yaml", {**store, "CLM_CACHE_TIMEOUT": "soon"})


@posix_only
def test_a_signing_key_every_user_may_write_is_named_with_the_fix(course):
    key = course / "clm-cache.key"
    assert Signer(key).warnings == []
    key.chmod(0o666)
    [warning] = Signer(key).warnings
    assert str(key) in warning and f"chmod 600 {key}" in warning


def test_only_posix_modes_say_a_key_is_exposed(tmp_path):
    key = tmp_path / "clm-cache.key"
    regular = stat.S_IFREG
    assert exposed_key_warning(key, regular | 0o666, posix=True)
    assert exposed_key_warning(key, regular | 0o664, posix=True) is None
    assert exposed_key_warning(key, regular | 0o666, posix=False) is None  # Windows: the ACL


@posix_only
def test_a_signing_key_that_is_a_fifo_is_an_error_not_a_hang(tmp_path):
    key = tmp_path / "clm-cache.key"
    os.mkfifo(key)
    with pytest.raises(CourseError, match="cannot read the cache's signing key"):
        Signer(key)


@posix_only
def test_exporting_into_a_store_folder_with_a_link_writes_nothing_through_it(course, tmp_path):
    from tests.conftest import deck_text, write_files
    from tests.e2e.helpers import run_clm

    spec = "name: {de: K, en: C}\nsections:\n  - name: {de: E, en: O}\n    topics: [a]\n"
    write_files(course, {"course.yaml": spec, "slides/module_1_a/topic_1_a.py": deck_text()})
    SqliteResultsCache(course / ".clm/cache.sqlite").put("executions", "k1", b"[1]")
    outside = tmp_path / "outside"
    outside.mkdir()
    store = tmp_path / "artifact"
    store.mkdir()
    (store / "cas").symlink_to(outside, target_is_directory=True)
    result = run_clm(course, "cache", "export", f"{store}/", "--namespace", "ci-main",
                     env={"CLM_CACHE_KEY": str(course / "clm-cache.key")})  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{store}: cannot export the cache into it as a store" in result.stderr
    assert "cas" in result.stderr and "symbolic link" in result.stderr
    assert "Traceback" not in result.stderr and list(outside.iterdir()) == []


def test_a_web_server_saying_403_for_a_missing_file_is_a_miss_not_a_failure(course, tmp_path):
    store = tmp_path / "store"
    _pushed(course, store, ("k1",))
    with forbidding_web_server(store) as url:
        settings = RemoteSettings(url, ("ci-main",), None, None, course / "clm-cache.pub")
        reader = RemoteCache.open(settings)
        assert reader.fetch([("executions", "k1"), ("executions", "k2")]) == {
            ("executions", "k1"): b'["k1"]'
        }
        assert reader.fetch([("executions", "k3")]) == {}
    assert reader.off is None and reader.take_warnings() == []
