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
import os
import secrets
import time
from dataclasses import dataclass

MANIFEST_POINTER = "LATEST"
KINDS = ("executions", "renders")


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
        """The entry ``data`` holds; ValueError for anything else."""
        try:
            fields = json.loads(data)
            entry = cls(
                str(fields["key"]),
                str(fields["kind"]),
                str(fields["namespace"]),
                str(fields["blob"]),
                int(fields["size"]),
                float(fields.get("created", 0.0)),
                str(fields.get("signature", "")),
            )
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise ValueError(f"not a cache entry: {error}") from None
        return entry


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
    """A remote store at ``url`` (``file:///…``, ``s3://bucket/prefix``, ``https://…``)."""

    def __init__(self, url: str, storage_options: dict | None = None):
        import fsspec

        self.url = url
        self.fs, self.root = fsspec.core.url_to_fs(url, **(storage_options or {}))
        self.root = self.root.rstrip("/")
        self.local = "file" in _protocols(self.fs)

    # -- paths ------------------------------------------------------------------

    def _path(self, *parts: str) -> str:
        return "/".join([self.root, *parts])

    def blob_path(self, digest: str) -> str:
        return self._path("cas", digest[:2], digest)

    def entry_path(self, namespace: str, kind: str, key: str) -> str:
        return self._path("ac", namespace, kind, key[:2], f"{key}.json")

    def manifest_folder(self, namespace: str) -> str:
        return self._path("manifests", namespace)

    # -- reading ----------------------------------------------------------------

    def cat_many(self, paths: list[str]) -> dict[str, bytes]:
        """The files of ``paths`` that exist, read concurrently where the store allows."""
        if not paths:
            return {}
        if len(paths) == 1:
            try:
                return {paths[0]: self.fs.cat_file(paths[0])}
            except FileNotFoundError:
                return {}
        found = self.fs.cat(paths, on_error="omit")
        return {path: data for path, data in found.items() if isinstance(data, bytes)}

    def entries(self, wanted: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], bytes]:
        """The raw entries of (namespace, kind, key) that exist."""
        paths = {self.entry_path(*item): item for item in wanted}
        return {paths[path]: data for path, data in self.cat_many(list(paths)).items()}

    def blobs(self, digests: list[str]) -> dict[str, bytes]:
        paths = {self.blob_path(digest): digest for digest in digests}
        return {paths[path]: data for path, data in self.cat_many(list(paths)).items()}

    def newest_manifest(self, namespace: str) -> Manifest | None:
        """The namespace's newest manifest (two reads: the pointer, then the manifest)."""
        folder = self.manifest_folder(namespace)
        name = None
        try:
            name = self.fs.cat_file(f"{folder}/{MANIFEST_POINTER}").decode().strip()
        except FileNotFoundError:
            names = self.manifest_names(namespace)
            name = names[-1] if names else None
        if not name or "/" in name or not name.endswith(".json"):
            return None  # not a name write_manifest gives
        return self.manifest(namespace, name)

    def manifest(self, namespace: str, name: str) -> Manifest | None:
        try:
            data = json.loads(self.fs.cat_file(f"{self.manifest_folder(namespace)}/{name}"))
            entries = []
            for item in data["entries"]:
                try:
                    entries.append(Entry.from_json(json.dumps(item).encode()))
                except ValueError:
                    continue
            return Manifest(name, namespace, float(data["created"]), entries)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError, KeyError, AttributeError):
            return None  # not a manifest clm wrote: it steers nothing

    def manifest_names(self, namespace: str) -> list[str]:
        """Every manifest of the namespace, oldest first (their names start with a stamp)."""
        try:
            listed = self.fs.ls(self.manifest_folder(namespace), detail=False)
        except FileNotFoundError:
            return []
        names = (path.rstrip("/").rsplit("/", 1)[-1] for path in listed)
        return sorted(name for name in names if name.endswith(".json"))

    def namespaces(self) -> list[str]:
        found = set()
        for folder in ("ac", "manifests"):
            try:
                listed = self.fs.ls(self._path(folder), detail=False)
            except FileNotFoundError:
                continue
            found.update(path.rstrip("/").rsplit("/", 1)[-1] for path in listed)
        return sorted(found)

    def walk_entries(self, namespace: str) -> list[str]:
        """The paths of every entry in a namespace."""
        try:
            return sorted(self.fs.find(self._path("ac", namespace)))
        except FileNotFoundError:
            return []

    def walk_blobs_with_times(self) -> list[tuple[str, float | None]]:
        """Every blob's path and when it was written (None where the store does not say)."""
        try:
            found = self.fs.find(self._path("cas"), detail=True)
        except FileNotFoundError:
            return []
        return sorted((path, _modified(info)) for path, info in found.items())

    # -- writing ----------------------------------------------------------------

    def put_blob(self, data: bytes) -> str:
        """Store ``data`` under its digest (unless it is there); the digest."""
        digest = digest_of(data)
        path = self.blob_path(digest)
        if not self.fs.exists(path):
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

    def remove(self, paths: list[str]) -> None:
        for path in paths:
            try:
                self.fs.rm_file(path)
            except FileNotFoundError:
                continue

    def _write(self, path: str, data: bytes) -> None:
        """Write ``path`` in one piece: readers see the old file, or the new, never half."""
        if not self.local:
            self.fs.pipe_file(path, data)
            return
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        temporary = f"{path}.{secrets.token_hex(6)}.tmp"
        with open(temporary, "wb") as file:
            file.write(data)
        os.replace(temporary, path)


def _protocols(fs) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)


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
