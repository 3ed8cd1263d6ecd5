"""The commands that look: ``clm status``, ``jobs``, ``workers``, ``cache``, ``schema``,
``doctor``, ``setup``, which fetches the files clm needs, and ``init``, which makes a new course. They read the course's state and
never wait for a running build."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from clm.errors import CourseError
from clm.state.workspace import FOLDER, Workspace
from clm.tasks.runner import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def _print(data, text, as_json: bool) -> None:
    print(json.dumps(data, indent=2) if as_json else text(data))


def _error(message: object) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_USAGE


def damaged_state(error: Exception) -> int:
    """Damage found past opening: the cache is disposable and replaced, the state is not."""
    from clm.state import cache
    from clm.state.db import unreadable_state

    # Every command that opens a course's files works in its root by now.
    workspace = Workspace.at(Path.cwd())
    replaced = cache.replace_if_damaged(workspace.cache_file)
    if replaced is None:
        return _error(unreadable_state(workspace.state_file, error))
    print(replaced, file=sys.stderr)
    return _error("the damaged cache was replaced; run the command again")


def _in_built_course(folder: Path) -> Workspace | None:
    """Enter a course that has been built; say so when ``folder`` is none."""
    workspace = Workspace.at(folder)
    if not workspace.folder.is_dir():
        _error(f"{folder.resolve()} has no {FOLDER}/: no course has been built there")
        return None
    os.chdir(folder)
    return workspace


def _in_course(folder: Path) -> Workspace | None:
    """Enter a course, built or not (a cache may be imported before the first build)."""
    workspace = Workspace.at(folder)
    if not workspace.folder.is_dir() and not (folder / "slides").is_dir():
        _error(
            f"{folder.resolve()} is no course: it has neither slides/ nor {FOLDER}/; run the "
            "command in a course's folder or name one with --course"
        )
        return None
    os.chdir(folder)
    return workspace


def status_command(course: Path, as_json: bool) -> int:
    from clm.cli import reports

    workspace = _in_built_course(course)
    if workspace is None:
        return EXIT_USAGE
    _print(reports.status(workspace), reports.status_text, as_json)
    return EXIT_OK


def jobs_command(args) -> int:
    from clm.cli import reports
    from clm.cli.building import retry

    workspace = _in_built_course(args.course)
    if workspace is None:
        return EXIT_USAGE
    if args.jobs_command == "list":
        _print(reports.jobs_list(workspace, args.run, args.failed), reports.jobs_text, args.json)
        return EXIT_OK
    if args.jobs_command == "show":
        job = reports.job_show(workspace, args.id)
        if job is None:
            return _error(f"there is no job {args.id}")
        _print(job, reports.job_text, args.json)
        return EXIT_OK
    return retry(workspace, args.id, args.failed, args.json)


def workers_command(course: Path, as_json: bool) -> int:
    from clm.cli import reports

    workspace = _in_built_course(course)
    if workspace is None:
        return EXIT_USAGE
    _print(reports.workers(workspace), reports.workers_text, as_json)
    return EXIT_OK


def size(text: str) -> int:
    """``500M`` → bytes; ValueError or KeyError for what is no size."""
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    number, unit = text.strip().upper().rstrip("B"), ""
    if number and number[-1] in units:
        number, unit = number[:-1], number[-1]
    return int(float(number) * units[unit])


def cache_command(args) -> int:
    from clm.cli import reports
    from clm.state import cache

    action, as_json = args.cache_command, args.json
    if action == "explain":
        os.chdir(args.course)  # its spec, and the last build's, are looked for there
        return explain_command(args.spec, args.output, as_json)
    if action in ("keygen", "push", "pull", "verify", "gc", "promote") or (
        action == "export" and (args.file.endswith("/") or Path(args.file).is_dir())
    ):
        return _shared_cache_command(args)
    workspace = _in_course(args.course)
    if workspace is None:
        return EXIT_USAGE
    cache_file = workspace.cache_file
    if action == "export":
        target = Path(args.file)
        if (target.exists() or target.is_symlink()) and not args.force:
            return _error(
                f"{target} exists; clm cache export writes a new file and replaces one only "
                "when told to: add --force, or give another file name"
            )
        if not target.parent.is_dir():
            return _error(f"{target.parent}: no such folder to export the cache into")
        exported = cache.export_cache(target.absolute(), cache_file)
        print(
            f"exported {exported.executions} executions and {exported.renders} renders "
            f"({exported.size:,} bytes) to {args.file}"
        )
    elif action == "import":
        if not args.file.is_file():
            return _error(f"{args.file}: no such cache file")
        added = cache.import_cache(args.file.resolve(), cache_file)
        print(f"imported {added} new entries (executions and renders) from {args.file}")
    elif action == "prune":
        try:
            limit = size(args.max_size)
        except (ValueError, KeyError):
            return _error(f"--max-size {args.max_size!r}: expected a size such as 500M")
        data = {"removed": cache.prune(limit, cache_file), "bytes": cache.stats(cache_file).size}
        _print(
            data, lambda d: f"removed {d['removed']} entries; {d['bytes']:,} bytes remain", as_json
        )
    elif action == "clear":
        _print(
            {"removed": cache.clear(cache_file)},
            lambda d: f"removed {d['removed']} entries",
            as_json,
        )
    else:
        _print(reports.cache_report(workspace), reports.cache_text, as_json)
    return EXIT_OK


def _shared_cache_command(args) -> int:
    from clm.cli import sharing

    action, course = args.cache_command, args.course
    if action == "keygen":
        return sharing.keygen(course)
    if action == "export":
        return sharing.export_store(course, args.spec, Path(args.file), args.namespace)
    if action == "gc":
        return sharing.gc(course, args.spec, args.keep)
    if action == "promote":
        return sharing.promote(course, args.spec, args.source, args.to)
    return {"push": sharing.push, "pull": sharing.pull, "verify": sharing.verify}[action](
        course, args.spec
    )


def explain_command(spec: str | None, output: str, as_json: bool) -> int:
    from clm.cli.explain import explain, explain_text
    from clm.spec import locate_spec
    from clm.state import history

    try:
        # Without a spec: the one the last build here built, what a report is most likely about.
        last = history.last_spec(Workspace.at(Path.cwd())) if spec is None else None
        spec_file = Path(last).resolve() if last else locate_spec(spec)
        _print(explain(spec_file, output), explain_text, as_json)
    except CourseError as error:
        return _error(error)
    return EXIT_OK


def schema_command(name: list[str]) -> int:
    from clm.cli.schemas import SCHEMAS

    wanted = " ".join(name)
    if wanted not in SCHEMAS:
        print("reports with a --json schema: " + ", ".join(SCHEMAS))
        return EXIT_OK if not wanted else EXIT_USAGE
    print(json.dumps(SCHEMAS[wanted], indent=2))
    return EXIT_OK


def doctor(as_json: bool, install: bool = False) -> int:
    """The checks; with ``install`` first fetched what clm can fetch of what is missing."""
    from clm.cli import doctor as checks

    found, fetched = checks.checks(), EXIT_OK
    wanted = [checks.FETCHED[c.name] for c in found if not c.found and c.name in checks.FETCHED]
    if install and wanted:
        fetched = _fetch(wanted, sys.stderr if as_json else sys.stdout)
        found = checks.checks()
    print(json.dumps(checks.as_json(found), indent=2) if as_json else checks.report(found))
    return EXIT_OK if checks.healthy(found) and fetched == EXIT_OK else EXIT_FAILED


def setup() -> int:
    """Fetch every file clm fetches, saying where each went."""
    from clm.downloads import pinned

    return _fetch(pinned.ALL, sys.stdout)


def _fetch(files, out) -> int:
    from clm.downloads.setup import fetch_all

    failed = False
    for outcome in fetch_all(files, lambda text: print(text, file=out, flush=True)):
        print(outcome.describe(), file=sys.stderr if outcome.error else out, flush=True)
        failed = failed or outcome.error is not None
    return EXIT_FAILED if failed else EXIT_OK


def init(folder: Path, prog_lang: str = "python") -> int:
    from clm.scaffold import scaffold

    try:
        written = scaffold(folder, prog_lang)
    except CourseError as error:
        return _error(error)
    for path in written:
        print(f"created {path}")
    print(f"\nNext: cd {folder} && doit")
    return EXIT_OK
