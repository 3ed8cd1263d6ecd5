"""The shared cache under the local one: what a build reads from the store, and writes to it.

``LayeredCache`` is the ``ResultsCache`` a build's tasks see once a store is
configured: a local miss is looked up in the trusted namespaces (one batched
read of the entries, then of the blob), checked, and kept locally; a new
result is stored locally and pushed to the build's own namespace, if it has
one, as soon as it exists, so that two CI jobs share results as they finish.

``prefetch`` runs before the tasks: it reads each trusted namespace's newest
manifest (one request) and fetches, in large concurrent batches, the entries
the local cache lacks. ``publish`` runs after a pushing build: what the
store's namespace still lacks of the build's keys, then the build's manifest.

Kept failures (a cell that raised, clm.state.results) travel like successes:
the key covers the code, its inputs, the kernel and the environment's
fingerprint, and the entry is signed by the course's key, so a failure one CI
run found is the failure any run would find. A success under the same key
always wins (it is looked up first, and prefetch skips such failures), and
``--rerun-failed`` looks no failure up, so one rerun of a flaky cell pushes the
success that mends it for everyone.

An entry counts only if it is signed by the course's key for the namespace
it was found in, and its blob only if its SHA-256 is the one the entry names;
anything else is a miss and a warning, never a result. A store that fails
(unreachable, refusing, silent past its deadline) is one warning and turns the
shared cache off for the rest of the build, in every one of its processes: the
build goes on with local executions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Protocol

from clm.remote.entries import Flaw, blob_sizes, flaw_of, holds_blob, signed_entry
from clm.remote.network import failure
from clm.remote.settings import RemoteSettings
from clm.remote.signing import Signer, Verifier
from clm.remote.store import Entry, Store
from clm.state.results import EXECUTIONS, FAILURES, ResultsCache

BATCH = 500  # entries or blobs read per request batch (fsspec runs a batch concurrently)


class Flag(Protocol):
    """Whether the store failed in one of the build's processes (clm.state.flags)."""

    def is_set(self) -> bool: ...

    def set_first(self) -> bool: ...


class LocalFlag:
    """A Flag of this process alone: for commands that run no workers."""

    def __init__(self) -> None:
        self._set = False

    def is_set(self) -> bool:
        return self._set

    def set_first(self) -> bool:
        first, self._set = not self._set, True
        return first


class RemoteCache:
    """The store as one build sees it: trusted namespaces, its own, and the course's key."""

    def __init__(
        self,
        settings: RemoteSettings,
        store: Store | None = None,
        verifier: Verifier | None = None,
        signer: Signer | None = None,
        failed: Flag | None = None,
        rejected: Flag | None = None,
    ):
        self.settings = settings
        self.store = store
        self.verifier = verifier
        self.signer = signer
        self.off: str | None = None  # why the store is not used any more in this process
        self.rejected: Counter[str] = Counter()  # entries read as misses, by reason
        self.pending_warnings: list[str] = []
        self._said_no_key = False
        # Whether the store failed, and whether an entry was rejected, in one of the
        # build's processes: each is said once per build.
        self._failed = failed if failed is not None else LocalFlag()
        self._rejected = rejected if rejected is not None else LocalFlag()

    @classmethod
    def open(
        cls, settings: RemoteSettings, failed: Flag | None = None, rejected: Flag | None = None
    ) -> RemoteCache:
        """The remote cache of ``settings``; one that warns and stays off if it cannot open.

        ``failed`` and ``rejected`` are seen by every process of the build (see
        clm.state.flags).
        """
        remote = cls(settings, failed=failed, rejected=rejected)
        try:
            remote.store = Store(settings.url, timeout=settings.timeout)
            if settings.public_key.is_file():
                remote.verifier = Verifier(settings.public_key)
            if settings.push and settings.key_file is not None:
                remote.signer = Signer(settings.key_file)
                remote.pending_warnings.extend(remote.signer.warnings)
        except Exception as error:  # an unknown protocol, a missing s3fs, a bad key
            remote._turn_off(error)
        return remote

    # -- reading ----------------------------------------------------------------

    def fetch(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
        """The checked results of (kind, key) the trusted namespaces hold."""
        if not wanted or not self._usable():
            return {}
        if self.verifier is None:
            self._no_public_key()
            return {}
        try:
            return self._fetch(wanted)
        except Exception as error:
            self._turn_off(error)
            return {}

    def _fetch(self, wanted: list[tuple[str, str]]) -> dict[tuple[str, str], bytes]:
        assert self.store is not None
        chosen: dict[tuple[str, str], Entry] = {}
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start : start + BATCH]
            items = [(ns, kind, key) for ns in self.settings.trust for kind, key in batch]
            found, bad = self.store.entries(items)
            for namespace, kind, key in items:  # in the order of trust: the first one wins
                if (namespace, kind, key) in bad and (kind, key) not in chosen:
                    path = self.store.entry_path(namespace, kind, key)
                    self._reject(f"{bad[namespace, kind, key]} ({path})", None, namespace)
                data = found.get((namespace, kind, key))
                if data is None or (kind, key) in chosen:
                    continue
                entry = self._checked(namespace, kind, key, data)
                if entry is not None:
                    chosen[(kind, key)] = entry
        return self._with_blobs(chosen)

    def _with_blobs(self, chosen: dict[tuple[str, str], Entry]) -> dict[tuple[str, str], bytes]:
        """The blobs of checked entries, each only if it is the one its entry names."""
        assert self.store is not None
        results = {}
        entries = list(chosen.items())
        for start in range(0, len(entries), BATCH):
            batch = entries[start : start + BATCH]
            blobs, bad = self.store.blobs(blob_sizes(entry for _, entry in batch))
            for item, entry in batch:
                data = blobs.get(entry.blob)
                if entry.blob in bad:
                    reason = bad[entry.blob]
                    self._reject(f"its blob {self.store.blob_path(entry.blob)}: {reason}", entry)
                elif data is None:
                    self._reject("its blob is missing", entry)
                elif not holds_blob(entry, data):
                    self._reject("its blob does not match its digest", entry)
                else:
                    results[item] = data
        return results

    def _checked(self, namespace: str, kind: str, key: str, data: bytes) -> Entry | None:
        try:
            entry = Entry.from_json(data)
        except ValueError:
            self._reject("unreadable", None, namespace)
            return None
        return self._trusted(namespace, kind, key, entry)

    def _trusted(self, namespace: str, kind: str, key: str, entry: Entry) -> Entry | None:
        """``entry`` if it is what the course's key signed for that place; else a miss."""
        assert self.verifier is not None
        in_its_place = (entry.namespace, entry.kind, entry.key) == (namespace, kind, key)
        flaw = flaw_of(entry, self.verifier, in_its_place)
        if flaw is None:
            return entry
        said = {
            Flaw.MISPLACED: "it names another namespace or key",
            Flaw.UNSIGNED: "it is not signed",
            Flaw.FOREIGN_KEY: f"its signature is not the key of {self.settings.public_key.name}",
        }
        self._reject(said[flaw], entry)
        return None

    def prefetch(self, local: ResultsCache) -> int:
        """Copy into ``local`` what the trusted namespaces' newest manifests hold and it
        lacks (the manifest carries the entries: then only the blobs are read); how many
        results were copied."""
        if not self._usable():
            return 0
        if self.verifier is None:
            self._no_public_key()
            return 0
        assert self.store is not None
        try:
            chosen: dict[tuple[str, str], Entry] = {}
            for namespace in self.settings.trust:
                manifest = self.store.newest_manifest(namespace, self._store_says)
                for entry in manifest.entries if manifest else ():
                    item = (entry.kind, entry.key)
                    if item in chosen or local.contains(*item):
                        continue
                    trusted = self._trusted(namespace, entry.kind, entry.key, entry)
                    if trusted is not None:
                        chosen[item] = trusted
            fetched = self._with_blobs(_without_superseded_failures(chosen, local))
        except Exception as error:
            self._turn_off(error)
            return 0
        for (kind, key), data in fetched.items():
            local.put(kind, key, data)
        return len(fetched)

    # -- writing ----------------------------------------------------------------

    def push(self, kind: str, key: str, data: bytes) -> bool:
        """Write one result into the build's namespace: its blob, then its signed entry."""
        if self.settings.push is None or self.signer is None or not self._usable():
            return False
        assert self.store is not None
        try:
            self.store.put_blob(data)
            self.store.put_entry(signed_entry(self.signer, self.settings.push, kind, key, data))
        except Exception as error:
            self._turn_off(error)
            return False
        return True

    def publish(
        self, keys: dict[str, list[str]], local: ResultsCache, say: Callable[[str], None]
    ) -> int | None:
        """After a build: push what the namespace lacks of ``keys`` (from ``local``), then
        write the build's manifest of their entries; how many were pushed (None: failed)."""
        namespace = self.settings.push
        if namespace is None or self.signer is None or not self._usable():
            return None
        assert self.store is not None
        try:
            newest = self.store.newest_manifest(namespace, self._store_says)
            there = {(e.kind, e.key): e.blob for e in (newest.entries if newest else ())}
            results = {
                (kind, key): data
                for kind, kind_keys in keys.items()
                for key in kind_keys
                if (data := local.get(kind, key)) is not None
            }
            entries = {
                item: signed_entry(self.signer, namespace, *item, data)
                for item, data in results.items()
            }
            # What this build pushed as it went is there too: one batched read says so.
            unlisted = [
                (namespace, *item)
                for item, entry in entries.items()
                if there.get(item) != entry.blob
            ]
            pushed_already, _ = self.store.entries(unlisted)
            there.update({item[1:]: entries[item[1:]].blob for item in pushed_already})
            missing = [item for item, entry in entries.items() if there.get(item) != entry.blob]
            for start in range(0, len(missing), BATCH):
                batch = missing[start : start + BATCH]
                self.store.put_many([results[i] for i in batch], [entries[i] for i in batch])
            pushed = len(missing)
            name = self.store.write_manifest(namespace, list(entries.values()))
        except Exception as error:
            self._turn_off(error)
            return None
        say(f"clm: shared cache: {pushed} results pushed to {namespace}, manifest {name}")
        return pushed

    # -- failing softly -----------------------------------------------------------

    def _usable(self) -> bool:
        """Whether the store may be used (not if it failed in any of the build's processes)."""
        if self.off is None and self._failed.is_set():
            self.off = "it failed in another of the build's processes"
        return self.off is None and self.store is not None

    def _turn_off(self, error: BaseException) -> None:
        """Use the store no more in this build, in any of its processes; the first
        process to find it failing says so, once."""
        if self.off is not None:
            return
        self.off = failure(self.settings.url, error, self.settings.timeout)
        if self._failed.set_first():
            self.pending_warnings.append(
                f"clm: warning: {self.off}; this build goes on without it, running what "
                "the local cache lacks"
            )

    def _store_says(self, problem: str) -> None:
        """A file of the store that is not what clm writes (a manifest, its pointer)."""
        self.pending_warnings.append(
            f"clm: warning: the shared cache at {self.settings.url}: {problem}; "
            "it is skipped, the rest of the store is used"
        )

    def _reject(self, reason: str, entry: Entry | None, namespace: str | None = None) -> None:
        self.rejected[reason] += 1
        if self._rejected.set_first():
            what = (
                f"the entry of {entry.kind} {entry.key[:16]}… in namespace {entry.namespace}"
                if entry
                else f"an entry in namespace {namespace}"
            )
            self.pending_warnings.append(
                f"clm: warning: the shared cache at {self.settings.url}: {what} is ignored, "
                f"{reason}; it is run here instead (later ones are counted, see `clm cache verify`)"
            )

    def _no_public_key(self) -> None:
        if not self._said_no_key:
            self._said_no_key = True
            self.pending_warnings.append(
                f"clm: warning: the shared cache at {self.settings.url} is not read: the course "
                f"has no {self.settings.public_key.name} to check its entries with (make the "
                "key pair with `clm cache keygen` and commit the .pub file)"
            )

    def take_warnings(self) -> list[str]:
        taken, self.pending_warnings = self.pending_warnings, []
        return taken


def _without_superseded_failures(
    chosen: dict[tuple[str, str], Entry], local: ResultsCache
) -> dict[tuple[str, str], Entry]:
    """``chosen`` without the kept failures of keys that have outputs (here or among
    ``chosen``): a success under a key is its result, whoever kept the failure."""
    return {
        (kind, key): entry
        for (kind, key), entry in chosen.items()
        if kind != FAILURES
        or ((EXECUTIONS, key) not in chosen and not local.contains(EXECUTIONS, key))
    }


class LayeredCache:
    """The local cache, and under it the shared one (a ResultsCache)."""

    def __init__(self, local: ResultsCache, remote: RemoteCache):
        self.local = local
        self.remote = remote
        self.fetched = 0  # results the shared cache served; the action counts them

    def get(self, kind: str, key: str) -> bytes | None:
        data = self.local.get(kind, key)
        if data is not None:
            return data
        data = self.remote.fetch([(kind, key)]).get((kind, key))
        if data is not None:
            self.local.put(kind, key, data)
            self.fetched += 1
        return data

    def put(self, kind: str, key: str, data: bytes) -> None:
        self.local.put(kind, key, data)
        self.remote.push(kind, key, data)

    def drop(self, kind: str, key: str) -> None:
        self.local.drop(kind, key)

    def contains(self, kind: str, key: str) -> bool:
        return self.local.contains(kind, key)

    def take_warnings(self) -> list[str]:
        return self.remote.take_warnings()

    def take_fetched(self) -> int:
        taken, self.fetched = self.fetched, 0
        return taken
