"""The remote store's layout, over any file system fsspec reaches.

    cas/<d[:2]>/<d>                        a blob: a result's bytes, named by their SHA-256
    ac/<namespace>/<kind>/<k[:2]>/<k>.json  an entry: which blob holds the result of key k
    manifests/<namespace>/<stamp>-<id>.json the keys one build used, by kind
    manifests/<namespace>/LATEST           the newest manifest's name (a hint, for stores
                                           that cannot list, such as https)

Blobs never change once written; an entry is written after its blob, and a
manifest after its entries, each in one piece (a rename on a local folder,
one PUT on an object store), so a reader never sees half a file and an
entry never names a blob that is not there yet. Nothing here trusts what it
reads: clm.remote.layered checks signatures and digests.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass

from clm.remote import network
from clm.remote.local import LocalTree, NotAFile, TooBig, describe
from clm.remote.network import DEFAULT_TIMEOUT
from clm.remote.settings import NAMESPACE
from clm.state.results import KINDS

MANIFEST_POINTER = "LATEST"
# How much of each file a reader takes, at most: an entry and the pointer are small, a
# manifest lists a build's keys; a blob is read up to the size its (signed) entry gives.
ENTRY_LIMIT = 64 << 10
POINTER_LIMIT = 1 << 10
MANIFEST_LIMIT = 64 << 20
ENTRY_DEPTH = 3  # ac/<namespace>/<kind>/<k[:2]>/<k>.json: deeper is none of clm's
BLOB_DEPTH = 2  # cas/<d[:2]>/<d>
MANIFESTS_TRIED = 3  # listed manifests read, newest first, when the pointer fails
DIGEST = re.compile(r"[0-9a-f]{64}")
MANIFEST_NAME = re.compile(r"[0-9]{8}T[0-9]{12}-[0-9a-f]{8}\.json")


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Entry:
    """What a namespace says of one key: the digest and size of its result's blob."""

    key: str
    kind: str
    namespace: str
    blob: str
    size: int
    created: float = 0.0
    signature: str = ""

    def payload(self) -> bytes:
        """What the signature covers: everything that decides what the entry means."""
        fields = [self.key, self.kind, self.namespace, self.blob, self.size]
        return json.dumps(fields, separators=(",", ":")).encode()

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "key": self.key,
                "kind": self.kind,
                "namespace": self.namespace,
                "blob": self.blob,
                "size": self.size,
                "created": self.created,
                "signature": self.signature,
            },
            sort_keys=True,
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Entry:
        """The entry ``data`` holds; ValueError for anything else (nested too deep too)."""
        try:
            fields = json.loads(data)
        except RecursionError:
            raise ValueError("not a cache entry: it nests too deep") from None
        except ValueError as error:
            raise ValueError(f"not a cache entry: {error}") from None
        return cls.from_fields(fields)

    @classmethod
    def from_fields(cls, fields: object) -> Entry:
        """The entry of a JSON object's fields; ValueError for anything else."""
        if not isinstance(fields, dict):
            raise ValueError(f"not a cache entry: a {type(fields).__name__}, not an object")
        try:
            return cls(
                str(fields["key"]),
                str(fields["kind"]),
                str(fields["namespace"]),
                str(fields["blob"]),
                int(fields["size"]),
                float(fields.get("created", 0.0)),
                str(fields.get("signature", "")),
            )
        except (ValueError, TypeError, KeyError, OverflowError, RecursionError) as error:
            raise ValueError(f"not a cache entry: {error!r}") from None


@dataclass(frozen=True)
class Manifest:
    """The keys a build used, each with its entry (as signed), so that one read of the
    manifest stands for reading each entry; nothing in it is trusted unchecked."""

    name: str
    namespace: str
    created: float
    entries: list[Entry]

    @property
    def keys(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {kind: [] for kind in KINDS}
        for entry in self.entries:
            found.setdefault(entry.kind, []).append(entry.key)
        return found


class Store:
    """A remote store at ``url`` (``file:///…``, ``s3://bucket/prefix``, ``https://…``).

    Every read is bounded: a file is read up to the size its reader allows (an entry's
    declared size for a blob), over the network with the deadline ``timeout``, and in a
    local folder never through a link, nor from anything but a regular file. What is
    there but cannot be what clm wrote comes back as a reason, never as bytes.
    """

    def __init__(
        self, url: str, storage_options: dict | None = None, timeout: float = DEFAULT_TIMEOUT
    ):
        import fsspec

        self.url = url
        self.timeout = timeout
        options = {**network.storage_options(url, timeout), **(storage_options or {})}
        self.fs, self.root = fsspec.core.url_to_fs(url, **options)
        network.without_retries(self.fs)
        self.root = self.root.rstrip("/")
        self.local = "file" in network.protocols(self.fs)
        self.tree = LocalTree(self.root) if self.local else None

    # -- paths ------------------------------------------------------------------

    def _path(self, *parts: str) -> str:
        return "/".join([self.root, *parts])

    def _relative(self, path: str) -> str:
        return path[len(self.root) + 1 :]

    def blob_path(self, digest: str) -> str:
        return self._path("cas", digest[:2], digest)

    def entry_path(self, namespace: str, kind: str, key: str) -> str:
        return self._path("ac", namespace, kind, key[:2], f"{key}.json")

    def manifest_folder(self, namespace: str) -> str:
        return self._path("manifests", namespace)

    # -- reading ----------------------------------------------------------------

    def read_many(self, limits: dict[str, int]) -> tuple[dict[str, bytes], dict[str, str]]:
        """(the files of ``limits`` that are there and readable, each read up to its limit;
        why each other one that is there cannot be used). A missing file is in neither."""
        found: dict[str, bytes] = {}
        bad: dict[str, str] = {}
        if self.tree is not None:
            outcomes = {path: self._read_local(path, limit) for path, limit in limits.items()}
        else:
            outcomes = network.read_many(self.fs, limits)
        for path, outcome in outcomes.items():
            if isinstance(outcome, bytes):
                found[path] = outcome
            elif isinstance(outcome, NotAFile):
                bad[path] = f"it is {outcome.what}"
            elif isinstance(outcome, TooBig):
                bad[path] = f"it is longer than {outcome.limit:,} bytes"
        return found, bad

    def _read_local(self, path: str, limit: int) -> bytes | Exception:
        assert self.tree is not None
        try:
            return self.tree.read(self._relative(path), limit)
        except (FileNotFoundError, NotADirectoryError, NotAFile, TooBig) as error:
            return error

    def read(self, path: str, limit: int) -> bytes:
        """One file, up to ``limit`` bytes; FileNotFoundError, or ValueError saying why the
        file there cannot be used."""
        found, bad = self.read_many({path: limit})
        if path in bad:
            raise ValueError(bad[path])
        if path not in found:
            raise FileNotFoundError(path)
        return found[path]

    def entries(
        self, wanted: list[tuple[str, str, str]]
    ) -> tuple[dict[tuple[str, str, str], bytes], dict[tuple[str, str, str], str]]:
        """(the raw entries of (namespace, kind, key) that are there; why each other one
        that is there cannot be read)."""
        paths = {self.entry_path(*item): item for item in wanted}
        found, bad = self.read_many(dict.fromkeys(paths, ENTRY_LIMIT))
        return (
            {paths[path]: data for path, data in found.items()},
            {paths[path]: reason for path, reason in bad.items()},
        )

    def blobs(self, sizes: dict[str, int]) -> tuple[dict[str, bytes], dict[str, str]]:
        """(the blobs of digests, each read up to the size its entry gives (one byte more
        says it is longer); why each other one that is there cannot be read)."""
        paths = {self.blob_path(digest): digest for digest in sizes if DIGEST.fullmatch(digest)}
        found, bad = self.read_many({path: max(sizes[d], 0) for path, d in paths.items()})
        return (
            {paths[path]: data for path, data in found.items()},
            {paths[path]: reason for path, reason in bad.items()},
        )

    def newest_manifest(self, namespace: str, warn: Callable[[str], None]) -> Manifest | None:
        """The namespace's newest manifest: the one its pointer names (two reads), else,
        with a warning, the newest listed one that is a manifest."""
        folder = self.manifest_folder(namespace)
        pointer = f"{folder}/{MANIFEST_POINTER}"
        named = None
        try:
            text = self.read(pointer, POINTER_LIMIT).decode("utf-8").strip()
            if MANIFEST_NAME.fullmatch(text):
                named = text
            else:
                warn(f"{self._relative(pointer)} names no manifest ({text[:60]!r})")
        except FileNotFoundError:
            pass
        except ValueError as error:  # not UTF-8, a FIFO, too long
            warn(f"{self._relative(pointer)} cannot be read: {error}")
        if named is not None:
            manifest = self.manifest(namespace, named, warn)
            if manifest is not None:
                return manifest
        for name in reversed(self.manifest_names(namespace)[-MANIFESTS_TRIED:]):
            if name == named:
                continue
            manifest = self.manifest(namespace, name, warn)
            if manifest is not None:
                return manifest
        return None

    def manifest(
        self, namespace: str, name: str, warn: Callable[[str], None] = lambda _: None
    ) -> Manifest | None:
        """The manifest ``name`` (None, with a warning that names it, if it is no manifest
        clm wrote: it then steers nothing)."""
        path = f"{self.manifest_folder(namespace)}/{name}"
        try:
            data = json.loads(self.read(path, MANIFEST_LIMIT))
            entries = []
            for item in data["entries"]:
                try:
                    entry = Entry.from_fields(item)
                except ValueError:
                    continue
                if entry.kind in KINDS:  # no other kind has a place in the local cache
                    entries.append(entry)
            return Manifest(name, namespace, float(data["created"]), entries)
        except FileNotFoundError:
            warn(f"{self._relative(path)} is missing")
        except (
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            OverflowError,
            RecursionError,
        ) as error:
            reason = "it nests too deep" if isinstance(error, RecursionError) else str(error)
            warn(f"{self._relative(path)} is no manifest clm wrote ({reason[:200]})")
        return None

    def manifest_names(self, namespace: str) -> list[str]:
        """Every manifest of the namespace, oldest first (their names start with a stamp)."""
        folder = self.manifest_folder(namespace)
        if self.tree is not None:
            names = [name for name, _ in self.tree.listing(self._relative(folder))]
        else:
            try:
                listed = self.fs.ls(folder, detail=False)
            except FileNotFoundError:
                return []
            names = [path.rstrip("/").rsplit("/", 1)[-1] for path in listed]
        return sorted(name for name in names if MANIFEST_NAME.fullmatch(name))

    def namespaces(self) -> list[str]:
        found = set()
        for folder in ("ac", "manifests"):
            if self.tree is not None:
                found.update(self.tree.folders(folder))
                continue
            try:
                listed = self.fs.ls(self._path(folder), detail=False)
            except FileNotFoundError:
                continue
            found.update(path.rstrip("/").rsplit("/", 1)[-1] for path in listed)
        return sorted(name for name in found if NAMESPACE.fullmatch(name))

    def strangers(self, *folders: str) -> dict[str, str]:
        """What stands in a local store's ``folders`` (such as ac/) and is no real folder
        (a link to one, say), with what it is; {} for other stores, which have no links."""
        if self.tree is None:
            return {}
        return {
            self._path(folder, name): f"it is {describe(info.st_mode)}"
            for folder in folders
            for name, info in self.tree.listing(folder)
            if not stat.S_ISDIR(info.st_mode)
        }

    def walk_entries(self, namespace: str) -> tuple[list[str], dict[str, str]]:
        """(the paths of every entry file in a namespace; the paths of what is there but
        is no file, with what it is). A local store's links are never followed."""
        folder = self._path("ac", namespace)
        if self.tree is None:
            try:
                return sorted(network.find(self.fs, folder)), {}
            except FileNotFoundError:
                return [], {}
        files: list[str] = []
        others = {path: why for path, why in self.strangers("ac").items() if path == folder}
        for relative, info in self.tree.walk(self._relative(folder), ENTRY_DEPTH):
            if stat.S_ISREG(info.st_mode):
                files.append(self._path(relative))
            else:
                others[self._path(relative)] = f"it is {describe(info.st_mode)}"
        return sorted(files), others

    def walk_blobs_with_times(self) -> list[tuple[str, float | None]]:
        """Every blob's path and when it was written (None where the store does not say);
        in a local store, only the regular files (a link is never followed)."""
        if self.tree is not None:
            return sorted(
                (self._path(relative), info.st_mtime)
                for relative, info in self.tree.walk("cas", BLOB_DEPTH)
                if stat.S_ISREG(info.st_mode)
            )
        try:
            found = network.find(self.fs, self._path("cas"), detail=True)
        except FileNotFoundError:
            return []
        return sorted((path, _modified(info)) for path, info in found.items())

    # -- writing ----------------------------------------------------------------

    def put_blob(self, data: bytes) -> str:
        """Store ``data`` under its digest (unless it is there); the digest."""
        digest = digest_of(data)
        path = self.blob_path(digest)
        there = self.tree.is_file(self._relative(path)) if self.tree else self.fs.exists(path)
        if not there:
            self._write(path, data)
        return digest

    def put_many(self, blobs: list[bytes], entries: list[Entry]) -> None:
        """Write many results at once: every blob, then every entry (concurrently where the
        store allows); a blob already there is written again, unchanged."""
        for files in (
            {self.blob_path(digest_of(data)): data for data in blobs},
            {self.entry_path(e.namespace, e.kind, e.key): e.to_json() for e in entries},
        ):
            if self.local:
                for path, data in files.items():
                    self._write(path, data)
            elif files:
                self.fs.pipe(files)

    def put_entry(self, entry: Entry) -> None:
        self._write(self.entry_path(entry.namespace, entry.kind, entry.key), entry.to_json())

    def write_manifest(self, namespace: str, entries: list[Entry]) -> str:
        """Record the entries a build used as the namespace's newest manifest; its name."""
        now = time.time()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now))
        name = f"{stamp}{int(now * 1e6) % 1_000_000:06d}-{secrets.token_hex(4)}.json"
        unique = {(entry.kind, entry.key): entry for entry in entries}
        body = {
            "namespace": namespace,
            "created": now,
            "entries": [json.loads(unique[item].to_json()) for item in sorted(unique)],
        }
        folder = self.manifest_folder(namespace)
        self._write(f"{folder}/{name}", json.dumps(body, sort_keys=True).encode())
        self._write(f"{folder}/{MANIFEST_POINTER}", name.encode())
        return name

    def write_file(self, parts: tuple[str, ...], data: bytes) -> None:
        """Write a file of the store's own (such as a record under promotions/)."""
        self._write(self._path(*parts), data)

    def remove(self, paths: list[str]) -> None:
        """Remove files; in a local store, a link is removed itself, never its target."""
        for path in paths:
            if self.tree is not None:
                self.tree.remove(self._relative(path))
                continue
            try:
                self.fs.rm_file(path)
            except FileNotFoundError:
                continue

    def _write(self, path: str, data: bytes) -> None:
        """Write ``path`` in one piece: readers see the old file, or the new, never half."""
        if self.tree is None:
            self.fs.pipe_file(path, data)
        else:
            self.tree.write(self._relative(path), data)


def _modified(info: dict) -> float | None:
    """When a file was last written, in seconds since the epoch, from fsspec's details."""
    stamp = info.get("mtime", info.get("LastModified", info.get("updated")))
    if stamp is None:
        return None
    if isinstance(stamp, int | float):
        return float(stamp)
    timestamp = getattr(stamp, "timestamp", None)
    if timestamp is not None:
        return float(timestamp())
    try:
        from datetime import datetime

        return datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
