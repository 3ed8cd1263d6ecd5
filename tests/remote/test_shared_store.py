"""The shared store on a real folder: trust by namespace and key, checks, manifests, gc."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clm.errors import CourseError
from clm.remote.layered import LayeredCache, RemoteCache
from clm.remote.operations import collect_garbage, promote, verify
from clm.remote.settings import RemoteSettings, Setting, resolve
from clm.remote.signing import Signer, Verifier, keygen
from clm.remote.store import Entry, Store, digest_of

pytest.importorskip("cryptography")


class Memory:
    """A local cache as a dict (a ResultsCache)."""

    def __init__(self):
        self.data: dict[tuple[str, str], bytes] = {}

    def get(self, kind, key):
        return self.data.get((kind, key))

    def put(self, kind, key, data):
        self.data[(kind, key)] = data

    def drop(self, kind, key):
        self.data.pop((kind, key), None)

    def contains(self, kind, key):
        return (kind, key) in self.data


def remote(course: Path, store: Path, trust=("ci-main",), push=None, key=None) -> RemoteCache:
    settings = RemoteSettings(
        store.as_uri(),
        trust,
        push,
        key or course / "clm-cache.key",
        course / "clm-cache.pub",
    )
    return RemoteCache.open(settings)


def test_what_ci_main_pushes_a_build_trusting_it_reads(course, tmp_path):
    store = tmp_path / "store"
    writer = remote(course, store, push="ci-main")
    assert writer.push("executions", "k1", b"[1]")
    reader = remote(course, store)
    assert reader.fetch([("executions", "k1"), ("executions", "k2")]) == {
        ("executions", "k1"): b"[1]"
    }
    assert reader.take_warnings() == []
    # Blob first, entry last, both where the layout says.
    entry = Entry.from_json((store / "ac/ci-main/executions/k1/k1.json").read_bytes())
    assert (store / "cas" / entry.blob[:2] / entry.blob).read_bytes() == b"[1]"


def test_a_pull_request_namespace_is_not_read_by_a_build_trusting_ci_main(course, tmp_path):
    store = tmp_path / "store"
    remote(course, store, push="pr-12").push("executions", "k1", b"[1]")
    assert remote(course, store).fetch([("executions", "k1")]) == {}
    assert remote(course, store, trust=("pr-12", "ci-main")).fetch([("executions", "k1")])


def _entry_file(store: Path, namespace: str, key: str) -> Path:
    return store / "ac" / namespace / "executions" / key[:2] / f"{key}.json"


def _edit(path: Path, **changes) -> None:
    fields = json.loads(path.read_bytes())
    fields.update(changes)
    path.write_text(json.dumps(fields))


def test_forged_tampered_unsigned_misplaced_and_corrupt_entries_are_misses(course, tmp_path):
    store = tmp_path / "store"
    writer = remote(course, store, push="ci-main")
    for key in ("forged", "tampered", "unsigned", "misplaced", "corrupt", "good"):
        writer.push("executions", key, f'["{key}"]'.encode())
    # Forged: signed with a key that is not the course's.
    other = tmp_path / "other"
    other.mkdir()
    keygen(other)
    forged = Entry.from_json(_entry_file(store, "ci-main", "forged").read_bytes())
    resigned = Signer(other / "clm-cache.key").sign(forged.payload())
    _edit(_entry_file(store, "ci-main", "forged"), signature=resigned)
    # Tampered: pointed at another existing blob, the signature left as it was.
    good = Entry.from_json(_entry_file(store, "ci-main", "good").read_bytes())
    _edit(_entry_file(store, "ci-main", "tampered"), blob=good.blob, size=good.size)
    _edit(_entry_file(store, "ci-main", "unsigned"), signature="")
    # Misplaced: a pull request's entry copied into ci-main's place.
    remote(course, store, push="pr-1").push("executions", "misplaced", b'["pr"]')
    _entry_file(store, "ci-main", "misplaced").write_bytes(
        _entry_file(store, "pr-1", "misplaced").read_bytes()
    )
    corrupt = Entry.from_json(_entry_file(store, "ci-main", "corrupt").read_bytes())
    (store / "cas" / corrupt.blob[:2] / corrupt.blob).write_bytes(b'["CORRUPT"]')

    reader = remote(course, store)
    wanted = [("executions", k) for k in ("forged", "tampered", "unsigned", "misplaced", "corrupt")]
    assert reader.fetch([*wanted, ("executions", "good")]) == {("executions", "good"): b'["good"]'}
    assert sum(reader.rejected.values()) == 5
    [warning] = reader.take_warnings()  # one warning; the rest are counted
    assert "is ignored" in warning and "clm cache verify" in warning
    report = verify(Store(store.as_uri()), ["ci-main"], Verifier(course / "clm-cache.pub"))
    assert report.good == 1 and sum(report.bad.values()) == 5


def test_without_the_public_key_nothing_is_read(course, tmp_path):
    store = tmp_path / "store"
    remote(course, store, push="ci-main").push("executions", "k1", b"[1]")
    (course / "clm-cache.pub").unlink()
    reader = remote(course, store)
    assert reader.fetch([("executions", "k1")]) == {}
    [warning] = reader.take_warnings()
    assert "no clm-cache.pub" in warning


def test_prefetch_reads_the_newest_manifest_and_copies_what_is_missing(course, tmp_path):
    store = tmp_path / "store"
    writer = remote(course, store, push="ci-main")
    local = Memory()
    local.put("executions", "k1", b"[1]")
    local.put("renders", "r1", b"pictures")
    assert writer.publish({"executions": ["k1"], "renders": ["r1"]}, local, print) == 2
    fresh = Memory()
    assert remote(course, store).prefetch(fresh) == 2
    assert fresh.data == local.data
    assert remote(course, store).prefetch(fresh) == 0  # nothing missing: nothing read


def test_kept_failures_travel_and_a_success_under_their_key_wins(course, tmp_path):
    store = tmp_path / "store"
    writer = remote(course, store, push="ci-main")
    ci = Memory()
    ci.put("failures", "failed", b'{"error": "x"}')
    ci.put("failures", "mended", b'{"error": "y"}')
    ci.put("executions", "mended", b"[1]")  # a later run of that code succeeded
    keys = {"executions": ["failed", "mended"], "failures": ["failed", "mended"]}
    assert writer.publish(keys, ci, print) == 3

    fresh = Memory()
    assert remote(course, store).prefetch(fresh) == 2
    assert fresh.data == {
        ("failures", "failed"): b'{"error": "x"}',
        ("executions", "mended"): b"[1]",
    }
    layered = LayeredCache(Memory(), remote(course, store))
    assert layered.get("failures", "failed") == b'{"error": "x"}'  # read one by one too
    assert layered.contains("failures", "failed") and layered.take_fetched() == 1


def test_gc_keeps_every_key_of_the_newest_manifests(course, tmp_path):
    store_path = tmp_path / "store"
    writer = remote(course, store_path, push="ci-main")
    local = Memory()
    for build in range(4):
        keys = [f"b{build}", "shared"]
        for key in keys:
            local.put("executions", key, f'["{key}"]'.encode())
        writer.publish({"executions": keys}, local, print)
    store = Store(store_path.as_uri())
    report = collect_garbage(store, keep=2, now=float("inf"))  # past every grace period
    assert report.entries_kept == 3  # b2, b3, shared
    assert report.manifests_removed == 2 and report.entries_removed == 2
    assert report.blobs_removed == 2
    reader = remote(course, store_path)
    found = reader.fetch([("executions", k) for k in ("b0", "b1", "b2", "b3", "shared")])
    assert set(found) == {("executions", "b2"), ("executions", "b3"), ("executions", "shared")}


def test_promotion_resigns_for_the_target_and_is_recorded(course, tmp_path):
    store_path = tmp_path / "store"
    local = Memory()
    local.put("executions", "k1", b"[1]")
    remote(course, store_path, push="pr-7").publish({"executions": ["k1"]}, local, print)
    store = Store(store_path.as_uri())
    signer = Signer(course / "clm-cache.key")
    count = promote(store, "pr-7", "ci-main", Verifier(course / "clm-cache.pub"), signer, print)
    assert count == 1
    assert remote(course, store_path).fetch([("executions", "k1")]) == {
        ("executions", "k1"): b"[1]"
    }
    [record] = (store_path / "promotions/ci-main").iterdir()
    assert json.loads(record.read_text())["from"] == "pr-7"


def test_a_store_that_cannot_be_opened_is_a_warning_and_then_silence(course, tmp_path):
    settings = RemoteSettings(
        "nosuchprotocol://x", ("ci-main",), None, None, course / "clm-cache.pub"
    )
    broken = RemoteCache.open(settings)
    assert broken.fetch([("executions", "k")]) == {}
    [warning] = broken.take_warnings()
    assert "goes on without it" in warning


def test_settings_come_from_the_environment_before_the_spec(tmp_path):
    spec = {
        "remote": Setting("file:///srv/spec-store", 3),
        "trust": Setting(("ci-main", "pr-1"), 4),
    }
    settings = resolve(tmp_path, spec, "course.yaml", environ={"CLM_CACHE_REMOTE": "s3://b/p"})
    assert settings.url == "s3://b/p" and settings.trust == ("ci-main", "pr-1")
    assert settings.push is None
    assert resolve(tmp_path, {}, "course.yaml", environ={}) is None


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"CLM_CACHE_REMOTE": "ftp://x"}, "CLM_CACHE_REMOTE: 'ftp://x' is no store"),
        ({"CLM_CACHE_REMOTE": "/s", "CLM_CACHE_TRUST": "Main!"}, "'Main!' is no namespace"),
        ({"CLM_CACHE_REMOTE": "/s", "CLM_CACHE_PUSH": "ci-main"}, "needs the private signing key"),
        (
            {"CLM_CACHE_REMOTE": "https://cache.example/c", "CLM_CACHE_PUSH": "ci-main"},
            "is read-only",
        ),
    ],
)
def test_bad_settings_say_where_they_came_from(tmp_path, environ, says):
    with pytest.raises(CourseError, match=says):
        resolve(tmp_path, {}, "course.yaml", environ=environ)


def test_digest_names_the_blob():
    assert digest_of(b"x") == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"


def test_the_spec_gives_the_settings_with_their_lines(tmp_path):
    from clm.spec import load_spec

    (tmp_path / "slides").mkdir()
    spec = tmp_path / "course.yaml"
    spec.write_text(
        "name: {de: K, en: C}\n"
        "cache-remote: s3://bucket/courses\n"
        "cache-trust: [ci-main, pr-4]\n"
        "cache-push: pr-4\n"
        "sections: []\n"
    )
    loaded = load_spec(spec)
    assert loaded.cache_settings == (
        ("remote", "s3://bucket/courses", 2),
        ("trust", ("ci-main", "pr-4"), 3),
        ("push", "pr-4", 4),
    )
    given = {name: Setting(value, line) for name, value, line in loaded.cache_settings}
    with pytest.raises(
        CourseError, match=r"course.yaml:4: cache-push: pushing to namespace 'pr-4'"
    ):
        resolve(tmp_path, given, "course.yaml", environ={})
