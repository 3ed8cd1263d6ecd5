"""``clm cache keygen|push|pull|verify|gc|promote`` and ``export DIR``: the shared store.

Each finds the course (its spec) in the working directory, or in --course,
takes the shared-cache settings from the environment and the spec, and
prints what it did; an unreachable store is an error here (exit 1), since
these commands exist only to talk to it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from clm.errors import CourseError
from clm.tasks.runner import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def _error(text: str, code: int = EXIT_USAGE) -> int:
    print(f"error: {text}", file=sys.stderr)
    return code


def keygen(course: Path) -> int:
    from clm.remote.signing import keygen as make_keys

    try:
        private, public = make_keys(course.resolve())
    except CourseError as error:
        return _error(str(error))
    print(
        f"wrote {public} (commit it: every build checks the shared cache's entries with it)\n"
        f"wrote {private} (never commit it: give it to the CI job that pushes, as a secret, "
        "and point CLM_CACHE_KEY at it)"
    )
    _ignore(course / ".gitignore", private.name)
    return EXIT_OK


def _ignore(gitignore: Path, name: str) -> None:
    """Add ``name`` to the course's .gitignore, if it has one and does not list it."""
    if not gitignore.is_file():
        return
    lines = gitignore.read_text(encoding="utf-8").splitlines()
    if name not in lines and f"/{name}" not in lines:
        with gitignore.open("a", encoding="utf-8") as file:
            file.write(("" if not lines or lines[-1] == "" else "\n") + f"/{name}\n")
        print(f"added /{name} to {gitignore}")


def _settings(course: Path, spec: str | None):
    """(spec, settings) of the course; CourseError when it has no shared store."""
    from clm.remote.settings import Setting, resolve
    from clm.spec import load_spec, locate_spec

    os.chdir(course)
    loaded = load_spec(locate_spec(spec))
    given = {name: Setting(value, line) for name, value, line in loaded.cache_settings}
    return loaded, resolve(loaded.root, given, loaded.key)


def _remote(course: Path, spec: str | None):
    from clm.remote.layered import RemoteCache

    loaded, settings = _settings(course, spec)
    if settings is None:
        raise CourseError(
            "the course has no shared cache: set CLM_CACHE_REMOTE (or cache-remote: in the "
            "spec) to its URL, such as file:///srv/clm-cache or s3://bucket/prefix"
        )
    remote = RemoteCache.open(settings)
    if remote.off:
        raise CourseError(f"{remote.off}: it cannot be opened")
    for warning in remote.take_warnings():  # a signing key others may write, say
        print(warning, file=sys.stderr)
    return loaded, remote


def _failed(remote, error: Exception) -> int:
    """The store failed under a command that exists only to talk to it: exit 1."""
    from clm.remote.network import failure

    return _error(failure(remote.settings.url, error, remote.settings.timeout), EXIT_FAILED)


def _said(remote) -> int:
    """Print what the store had to say; exit 1 if it failed (ignored entries are misses)."""
    for warning in remote.take_warnings():
        print(warning, file=sys.stderr)
    return EXIT_FAILED if remote.off else EXIT_OK


def pull(course: Path, spec: str | None) -> int:
    from clm.state.cache import SqliteResultsCache
    from clm.state.workspace import Workspace

    try:
        loaded, remote = _remote(course, spec)
    except CourseError as error:
        return _error(str(error))
    copied = remote.prefetch(SqliteResultsCache(Workspace.at(loaded.root).cache_file))
    code = _said(remote)
    print(f"pulled {copied} results from {', '.join(remote.settings.trust)}")
    return code


def push(course: Path, spec: str | None) -> int:
    from clm.state.cache import SqliteResultsCache
    from clm.state.workspace import Workspace
    from clm.tasks.generator import prepared_tasks
    from clm.tasks.shared_cache import plan_keys

    try:
        loaded, remote = _remote(course, spec)
        if remote.settings.push is None:
            raise CourseError(
                "pushing needs a namespace to push to: set CLM_CACHE_PUSH (ci-main in "
                "main-branch CI only), and CLM_CACHE_KEY to the private key"
            )
        _, tasks = prepared_tasks(loaded.file, keep=False)
    except CourseError as error:
        return _error(str(error))
    remote.publish(
        plan_keys(tasks), SqliteResultsCache(Workspace.at(loaded.root).cache_file), print
    )
    return _said(remote)


def verify(course: Path, spec: str | None) -> int:
    from clm.remote.operations import verify as check

    try:
        _, remote = _remote(course, spec)
        if remote.verifier is None:
            raise CourseError(
                f"{remote.settings.public_key} does not exist: entries cannot be checked "
                "without the course's public key (`clm cache keygen` makes the pair)"
            )
    except CourseError as error:
        return _error(str(error))
    namespaces = list(
        dict.fromkeys([*remote.settings.trust, *filter(None, [remote.settings.push])])
    )
    try:
        report = check(remote.store, namespaces, remote.verifier)
    except Exception as error:
        return _failed(remote, error)
    bad = sum(report.bad.values())
    reasons = ", ".join(f"{reason}: {count}" for reason, count in report.bad.most_common())
    print(
        f"{report.good} entries of {', '.join(namespaces)} verify"
        + (f"; {bad} do not ({reasons})" if bad else "")
    )
    for example in report.examples:
        print(f"  {example}")
    return EXIT_FAILED if bad else EXIT_OK


def gc(course: Path, spec: str | None, keep: int) -> int:
    from clm.remote.operations import collect_garbage

    if keep < 1:
        return _error("--keep needs a number of manifests of 1 or more")
    try:
        _, remote = _remote(course, spec)
    except CourseError as error:
        return _error(str(error))
    try:
        report = collect_garbage(remote.store, keep)
    except Exception as error:
        return _failed(remote, error)
    for warning in report.warnings:
        print(f"clm: warning: {warning}", file=sys.stderr)
    print(
        f"kept {report.entries_kept} entries named by the newest {keep} manifests of each "
        f"namespace; removed {report.entries_removed} entries, {report.manifests_removed} "
        f"manifests and {report.blobs_removed} blobs"
    )
    return EXIT_OK


def promote(course: Path, spec: str | None, source: str, target: str) -> int:
    from clm.remote.operations import promote as copy_over
    from clm.remote.settings import VARIABLES, check_namespace, signing_key
    from clm.remote.signing import Signer

    try:
        check_namespace(source, "clm cache promote")
        check_namespace(target, "clm cache promote --to")
        loaded, remote = _remote(course, spec)
        if remote.verifier is None:
            raise CourseError(f"{remote.settings.public_key} does not exist")
        signer = remote.signer or Signer(signing_key(loaded.root, os.environ.get(VARIABLES["key"])))
    except CourseError as error:
        return _error(str(error))
    for warning in signer.warnings:
        print(warning, file=sys.stderr)
    try:
        count = copy_over(remote.store, source, target, remote.verifier, signer, print)
    except Exception as error:
        return _failed(remote, error)
    print(
        f"promoted {count} entries of {source}'s newest manifest to {target} "
        f"(recorded under promotions/{target}/ in {remote.settings.url})"
    )
    return EXIT_OK


def export_store(course: Path, spec: str | None, folder: Path, namespace: str | None) -> int:
    """``clm cache export DIR``: the local cache as a store folder, signed, with a manifest."""
    from clm.remote.operations import export
    from clm.remote.settings import VARIABLES, check_namespace, signing_key
    from clm.remote.signing import Signer
    from clm.remote.store import Store
    from clm.state.cache import all_entries
    from clm.state.results import KINDS
    from clm.state.workspace import Workspace

    folder = folder.resolve()
    try:
        loaded, settings = _settings(course, spec)
        namespace = namespace or (settings.push if settings else None)
        if namespace is None:
            raise CourseError(
                "exporting a store folder needs the namespace its entries are for: "
                "--namespace ci-main, say, or CLM_CACHE_PUSH"
            )
        check_namespace(namespace, "--namespace")
        key_file = (settings.key_file if settings else None) or signing_key(
            loaded.root, os.environ.get(VARIABLES["key"])
        )
        signer = Signer(key_file)
    except CourseError as error:
        return _error(str(error))
    for warning in signer.warnings:
        print(warning, file=sys.stderr)
    cache_file = Workspace.at(loaded.root).cache_file
    results = ((kind, key, data) for kind in KINDS for key, data in all_entries(kind, cache_file))
    try:
        count = export(results, Store(folder.as_uri()), namespace, signer)
    except (OSError, ValueError) as error:  # a link or a file where the store has a folder
        return _error(
            f"{folder}: cannot export the cache into it as a store ({error})", EXIT_FAILED
        )
    print(f"exported {count} results into {folder} (namespace {namespace}): a file:// store")
    return EXIT_OK
