"""What the ``clm cache`` commands of the shared store do: export, verify, promote, gc.

Each works on a ``Store`` and the course's keys, and returns plain counts for
the command line to print.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from clm.remote.entries import Flaw, blob_sizes, flaw_of, holds_blob, moved_entry, signed_entry
from clm.remote.signing import Signer, Verifier
from clm.remote.store import ENTRY_LIMIT, Entry, Store

GC_GRACE_SECONDS = 3600.0  # a blob younger than this may be a writer's whose entry is coming
# What `clm cache verify` says of an entry that is not trusted.
VERIFY_SAYS = {
    Flaw.MISPLACED: "in another namespace's or key's place",
    Flaw.UNSIGNED: "not signed",
    Flaw.FOREIGN_KEY: "signed with another key",
}


def export(
    results: Iterable[tuple[str, str, bytes]], store: Store, namespace: str, signer: Signer
) -> int:
    """Write (kind, key, bytes) into ``store`` under ``namespace``, signed, and a manifest of
    them; how many."""
    entries = []
    for kind, key, data in results:
        store.put_blob(data)
        entry = signed_entry(signer, namespace, kind, key, data)
        store.put_entry(entry)
        entries.append(entry)
    store.write_manifest(namespace, entries)
    return len(entries)


@dataclass
class Verification:
    good: int = 0
    bad: Counter[str] = field(default_factory=Counter)  # reason: entries
    examples: list[str] = field(default_factory=list)  # the first few bad entries' paths


def verify(store: Store, namespaces: Iterable[str], verifier: Verifier) -> Verification:
    """Check every entry of ``namespaces``: readable, signed by the course's key for the
    namespace it is in, its blob present with the digest it names."""
    report = Verification()

    def bad(reason: str, path: str) -> None:
        report.bad[reason] += 1
        if len(report.examples) < 5:
            report.examples.append(f"{path}: {reason}")

    for namespace in namespaces:
        found, strangers, unreadable = _entry_files(store, namespace)
        for path, reason in {**strangers, **unreadable}.items():
            bad(f"unreadable, {reason}", path)
        entries = {}
        for path, data in found.items():
            try:
                entry = Entry.from_json(data)
            except ValueError:
                bad("unreadable", path)
                continue
            in_its_place = entry.namespace == namespace and path == store.entry_path(
                namespace, entry.kind, entry.key
            )
            flaw = flaw_of(entry, verifier, in_its_place)
            if flaw is not None:
                bad(VERIFY_SAYS[flaw], path)
            else:
                entries[path] = entry
        blobs, bad_blobs = store.blobs(blob_sizes(entries.values()))
        for path, entry in entries.items():
            data = blobs.get(entry.blob)
            if entry.blob in bad_blobs:
                bad(f"its blob is unreadable, {bad_blobs[entry.blob]}", path)
            elif data is None:
                bad("its blob is missing", path)
            elif not holds_blob(entry, data):
                bad("its blob does not match its digest", path)
            else:
                report.good += 1
    return report


def _entry_files(
    store: Store, namespace: str
) -> tuple[dict[str, bytes], dict[str, str], dict[str, str]]:
    """(every entry file of a namespace, read up to an entry's size; what else is in its
    folder and is no file (a link, a FIFO), with what it is; the files that cannot be
    entries (too long), with why)."""
    paths, strangers = store.walk_entries(namespace)
    found, unreadable = store.read_many(
        {path: ENTRY_LIMIT for path in paths if path.endswith(".json")}
    )
    return found, strangers, unreadable


def promote(
    store: Store,
    source: str,
    target: str,
    verifier: Verifier,
    signer: Signer,
    say: Callable[[str], None],
) -> int:
    """Copy the entries of ``source``'s newest manifest into ``target``, checked and signed
    anew, with a manifest and a record of the promotion; how many."""
    manifest = store.newest_manifest(source, lambda problem: say(f"clm: warning: {problem}"))
    if manifest is None:
        return 0
    promoted = []
    for entry in manifest.entries:
        if flaw_of(entry, verifier, entry.namespace == source) is not None:
            say(f"clm: skipped {entry.kind} {entry.key[:16]}… of {source}: it does not verify")
            continue
        moved = moved_entry(signer, entry, target)
        store.put_entry(moved)
        promoted.append(moved)
    name = store.write_manifest(target, promoted)
    record = {
        "from": source,
        "from_manifest": manifest.name,
        "to": target,
        "to_manifest": name,
        "entries": len(promoted),
        "at": time.time(),
    }
    store.write_file(("promotions", target, name), json.dumps(record, sort_keys=True).encode())
    return record["entries"]


@dataclass
class Collection:
    entries_removed: int = 0
    manifests_removed: int = 0
    blobs_removed: int = 0
    entries_kept: int = 0
    warnings: list[str] = field(default_factory=list)  # what in the store is not clm's


def collect_garbage(store: Store, keep: int, now: float | None = None) -> Collection:
    """Keep, per namespace, the entries its newest ``keep`` manifests list; then every blob
    an entry still names (and any younger than GC_GRACE_SECONDS); remove the rest."""
    now = time.time() if now is None else now
    report = Collection()
    named_blobs: set[str] = set()
    strangers = store.strangers("ac", "manifests", "cas")
    report.warnings.extend(f"{path} is left alone: {why}" for path, why in strangers.items())
    for namespace in store.namespaces():
        names = store.manifest_names(namespace)
        kept_names = names[-keep:] if keep > 0 else []
        kept: set[tuple[str, str]] = set()
        for name in kept_names:
            manifest = store.manifest(namespace, name, report.warnings.append)
            if manifest is not None:
                kept.update((kind, key) for kind, keys in manifest.keys.items() for key in keys)
        old = [
            f"{store.manifest_folder(namespace)}/{name}" for name in names if name not in kept_names
        ]
        store.remove(old)
        report.manifests_removed += len(old)
        found, strangers, unreadable = _entry_files(store, namespace)
        report.warnings.extend(f"{path} is left alone: {why}" for path, why in strangers.items())
        doomed = list(unreadable)
        for path, data in found.items():
            try:
                entry = Entry.from_json(data)
            except ValueError:
                doomed.append(path)
                continue
            if (entry.kind, entry.key) in kept:
                named_blobs.add(entry.blob)
                report.entries_kept += 1
            else:
                doomed.append(path)
        store.remove(doomed)
        report.entries_removed += len(doomed)
    sweep = []
    for path, info in store.walk_blobs_with_times():
        digest = path.rsplit("/", 1)[-1]
        if digest in named_blobs or (info is not None and now - info < GC_GRACE_SECONDS):
            continue
        sweep.append(path)
    store.remove(sweep)
    report.blobs_removed = len(sweep)
    return report
