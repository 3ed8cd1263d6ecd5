"""The ``clm`` command: parse, hand over, print. No build logic lives here."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from clm import __version__
from clm.errors import CourseError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clm", description="Build bilingual programming courses incrementally with doit."
    )
    parser.add_argument("--version", action="version", version=f"clm {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build a course (the same tasks as `doit`)")
    build.add_argument(
        "spec",
        nargs="?",
        help="course spec (default: ./course.yaml, else the single spec in ./course-specs/)",
    )
    build.add_argument("--only", metavar="TOPIC|SECTION", help="build one topic or one section")
    build.add_argument(
        "--lang", action="append", metavar="L", help="build one language (repeatable)"
    )
    build.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="worker processes (default: cores)"
    )
    build.add_argument(
        "--no-wait",
        action="store_true",
        help="exit with 2 instead of waiting when another build of the course runs",
    )

    watch = commands.add_parser(
        "watch", help="build, then rebuild what each saved change affects (as `doit auto`)"
    )
    watch.add_argument("spec", nargs="?", help="course spec (default as for build)")
    watch.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="worker processes (default: cores)"
    )

    clean = commands.add_parser(
        "clean", help="delete every output clm wrote for a spec (never the cache, never your files)"
    )
    clean.add_argument("spec", nargs="?", help="course spec (default as for build)")

    # Reports: read the state of the course in --course (default: here), never wait.
    report = argparse.ArgumentParser(add_help=False)
    report.add_argument("--course", type=Path, default=Path("."), help="course root (default: .)")
    report.add_argument("--json", action="store_true", help="print JSON (see `clm schema`)")

    commands.add_parser(
        "status",
        parents=[report],
        help="the last run, its failures, what is out of date, the cache, live workers",
    )

    jobs = commands.add_parser("jobs", help="the tasks a run executed, and their outcomes")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    listing = jobs_commands.add_parser("list", parents=[report], help="the jobs of a run")
    listing.add_argument("--failed", action="store_true", help="only the failed jobs")
    listing.add_argument("--run", type=int, metavar="N", help="run N (default: the last)")
    show = jobs_commands.add_parser("show", parents=[report], help="one job, with its error")
    show.add_argument("id", type=int)
    retry = jobs_commands.add_parser(
        "retry", parents=[report], help="run a job's task again, or every failed one"
    )
    retry.add_argument("id", type=int, nargs="?")
    retry.add_argument(
        "--failed",
        action="store_true",
        help="the failed tasks of the last run and the outputs they held back",
    )

    workers = commands.add_parser("workers", help="the worker processes of a running build")
    workers_commands = workers.add_subparsers(
        dest="workers_command", required=True, metavar="ACTION"
    )
    workers_commands.add_parser("list", parents=[report], help="pid, current task, heartbeat")

    cache = commands.add_parser(
        "cache", help="the cache of executions and renders in .clm/cache.sqlite"
    )
    cache_commands = cache.add_subparsers(dest="cache_command", metavar="ACTION")
    cache.set_defaults(cache_command="stats", course=Path("."), json=False)
    cache_commands.add_parser("stats", parents=[report], help="entries, size and hit rate")
    cache_commands.add_parser("clear", parents=[report], help="drop every entry")
    prune = cache_commands.add_parser(
        "prune", parents=[report], help="drop least recently used entries"
    )
    prune.add_argument("--max-size", required=True, metavar="SIZE", help="e.g. 500M, 2G")
    explain = cache_commands.add_parser(
        "explain", parents=[report], help="why an output would be rebuilt, or not"
    )
    explain.add_argument("output", help="an output path, as the build writes it")
    explain.add_argument("--spec", help="course spec (default as for build)")
    export = cache_commands.add_parser(
        "export", parents=[report], help="write the cache into one file (for CI)"
    )
    export.add_argument("file", type=Path)
    imported = cache_commands.add_parser(
        "import", parents=[report], help="add the entries of an exported cache"
    )
    imported.add_argument("file", type=Path)

    schema = commands.add_parser("schema", help="the JSON Schema of a report's --json output")
    schema.add_argument("name", nargs="*", help="e.g. status, jobs list, cache explain")

    doctor = commands.add_parser(
        "doctor", help="list the converters and kernels clm can use, and what is missing"
    )
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")

    init = commands.add_parser("init", help="create a new course in DIR")
    init.add_argument("dir", type=Path)
    return parser


def build(
    spec: str | None,
    only: str | None,
    langs: list[str] | None,
    jobs: int | None,
    no_wait: bool = False,
) -> int:
    from clm.build.tasks import (
        course_tasks_for_doit,
        prepare_build,
        print_warnings,
    )
    from clm.dodo import doit_config
    from clm.plan.gc_pause import paused_garbage_collection
    from clm.spec import course_root, default_spec

    if jobs is not None and jobs < 1:
        print("clm build: -j needs a positive number of workers", file=sys.stderr)
        return EXIT_USAGE
    try:
        spec_file = Path(spec).resolve() if spec else default_spec(Path.cwd()).resolve()
        os.chdir(course_root(spec_file))
        with paused_garbage_collection():
            prepared = prepare_build(
                spec_file, only=only, languages=tuple(langs) if langs else None
            )
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    print_warnings(prepared)

    def task_course():
        yield from course_tasks_for_doit(prepared)

    return run_doit({"DOIT_CONFIG": doit_config(jobs), "task_course": task_course}, [], no_wait)


def run_doit(namespace: dict, arguments: list[str], no_wait: bool = False) -> int:
    """doit's run command (with these options and task names), holding the build lock."""
    from doit.cmd_base import ModuleTaskLoader
    from doit.doit_cmd import DoitMain

    from clm.state import lock

    try:
        held = lock.acquire(lock.LOCK_FILE, wait=not no_wait)
    except lock.BuildLocked as locked:
        print(
            f"error: another build of this course is running (process {locked.holder}); "
            "not waiting (--no-wait)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        code = DoitMain(ModuleTaskLoader(namespace)).run(["run", *arguments])
    finally:
        if held:
            lock.release(lock.LOCK_FILE)
    # doit: 1 = a task failed, 2 = a task raised or a dependency failed; 3 = bad usage.
    return {0: EXIT_OK, 1: EXIT_FAILED, 2: EXIT_FAILED}.get(code, EXIT_USAGE)


def watch(spec: str | None, jobs: int | None) -> int:
    from clm.spec import default_spec
    from clm.watch.engine import watch_course

    if jobs is not None and jobs < 1:
        print("clm watch: -j needs a positive number of workers", file=sys.stderr)
        return EXIT_USAGE
    try:
        spec_file = Path(spec).resolve() if spec else default_spec(Path.cwd()).resolve()
        return watch_course(spec_file, jobs)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


def clean(spec: str | None) -> int:
    from clm.build.actions import delete_recorded
    from clm.build.tasks import STATE_FILE_PATH
    from clm.spec import default_spec, load_spec
    from clm.state.records import recorded_outputs

    try:
        spec_file = Path(spec).resolve() if spec else default_spec(Path.cwd()).resolve()
        course_spec = load_spec(spec_file)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    os.chdir(course_spec.root)
    written = tuple(sorted(recorded_outputs(Path(STATE_FILE_PATH), course_spec.key)))
    # Deletes only below the spec's output folder; emptied folders go up to it.
    refused = delete_recorded(STATE_FILE_PATH, course_spec.key, course_spec.output, written)
    for message in refused:
        print(f"error: {message}", file=sys.stderr)
    print(f"removed {len(written) - len(refused)} outputs of {course_spec.key}")
    return EXIT_FAILED if refused else EXIT_OK


def _print(data, text, as_json: bool) -> None:
    import json

    print(json.dumps(data, indent=2) if as_json else text(data))


def _in_course(folder: Path) -> bool:
    if not (folder / ".clm").is_dir():
        print(
            f"error: {folder.resolve()} has no .clm/: no course has been built there",
            file=sys.stderr,
        )
        return False
    os.chdir(folder)
    return True


def status_command(course: Path, as_json: bool) -> int:
    from clm.cli import reports

    if not _in_course(course):
        return EXIT_USAGE
    _print(reports.status(), reports.status_text, as_json)
    return EXIT_OK


def jobs_command(args) -> int:
    from clm.cli import reports

    if not _in_course(args.course):
        return EXIT_USAGE
    if args.jobs_command == "list":
        _print(reports.jobs_list(args.run, args.failed), reports.jobs_text, args.json)
        return EXIT_OK
    if args.jobs_command == "show":
        job = reports.job_show(args.id)
        if job is None:
            print(f"error: there is no job {args.id}", file=sys.stderr)
            return EXIT_USAGE
        _print(job, reports.job_text, args.json)
        return EXIT_OK
    return retry(args.id, args.failed, args.json)


def retry(job_id: int | None, failed: bool, as_json: bool) -> int:
    import json

    from clm.cli import reports

    if (job_id is None) == (not failed):
        print("error: name a job ID or say --failed", file=sys.stderr)
        return EXIT_USAGE
    try:
        spec, tasks = reports.tasks_to_retry(job_id)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not tasks:
        print(json.dumps({"tasks": [], "exit_code": 0}) if as_json else "nothing failed")
        return EXIT_OK
    code = _run_tasks(Path(spec).resolve(), tasks, quiet=as_json)
    if as_json:
        print(json.dumps({"tasks": tasks, "exit_code": code}))
    return code


def _run_tasks(spec_file: Path, tasks: list[str], quiet: bool) -> int:
    from clm.build.tasks import course_tasks_for_doit, prepare_build
    from clm.dodo import doit_config

    try:
        prepared = prepare_build(spec_file)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    known = set()

    def task_course():
        for task in course_tasks_for_doit(prepared):
            known.add(task.name)
            yield task

    namespace = {"DOIT_CONFIG": doit_config(), "task_course": task_course}
    # Tasks of an older plan that the spec no longer has are skipped, not an error.
    list(task_course())
    wanted = [task for task in tasks if task in known]
    if not wanted:
        return EXIT_OK
    # With --json, stdout carries the JSON alone: doit reports to stderr.
    options = (
        ["--output-file", "/dev/stderr" if os.name == "posix" else os.devnull] if quiet else []
    )
    return run_doit(namespace, [*options, *wanted])


def workers_command(course: Path, as_json: bool) -> int:
    from clm.cli import reports

    if not _in_course(course):
        return EXIT_USAGE
    _print(reports.workers(), reports.workers_text, as_json)
    return EXIT_OK


def _size(text: str) -> int:
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    number, unit = text.strip().upper().rstrip("B"), ""
    if number and number[-1] in units:
        number, unit = number[:-1], number[-1]
    return int(float(number) * units[unit])


def cache_command(args) -> int:

    from clm.cli import reports
    from clm.state import cache

    action, as_json = args.cache_command, args.json
    os.chdir(args.course)
    if action == "export":
        exported = cache.export_cache(args.file.resolve())
        print(
            f"exported {exported.executions} executions and {exported.renders} renders "
            f"({exported.size:,} bytes) to {args.file}"
        )
    elif action == "import":
        if not args.file.is_file():
            print(f"error: {args.file}: no such cache file", file=sys.stderr)
            return EXIT_USAGE
        added = cache.import_cache(args.file.resolve())
        print(f"imported {added} new entries (executions and renders) from {args.file}")
    elif action == "prune":
        try:
            limit = _size(args.max_size)
        except (ValueError, KeyError):
            print(
                f"error: --max-size {args.max_size!r}: expected a size such as 500M",
                file=sys.stderr,
            )
            return EXIT_USAGE
        removed = cache.prune(limit)
        left = cache.stats().size
        data = {"removed": removed, "bytes": left}
        _print(
            data, lambda d: f"removed {d['removed']} entries; {d['bytes']:,} bytes remain", as_json
        )
    elif action == "clear":
        data = {"removed": cache.clear()}
        _print(data, lambda d: f"removed {d['removed']} entries", as_json)
    elif action == "explain":
        return explain_command(args.spec, args.output, as_json)
    else:
        _print(reports.cache_report(), reports.cache_text, as_json)
    return EXIT_OK


def explain_command(spec: str | None, output: str, as_json: bool) -> int:
    from clm.cli.explain import explain, explain_text
    from clm.spec import default_spec

    try:
        spec_file = Path(spec).resolve() if spec else _last_spec() or default_spec(Path.cwd())
        _print(explain(spec_file.resolve(), output), explain_text, as_json)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _last_spec() -> Path | None:
    """The spec the last build here built: what a report is most likely about."""
    from clm.state import history
    from clm.state.db import STATE_PATH

    latest = history.runs(STATE_PATH, limit=1)
    return Path(latest[0].spec) if latest and latest[0].spec else None


def schema_command(name: list[str]) -> int:
    import json

    from clm.cli.schemas import SCHEMAS

    wanted = " ".join(name)
    if wanted not in SCHEMAS:
        print("reports with a --json schema: " + ", ".join(SCHEMAS))
        return EXIT_OK if not wanted else EXIT_USAGE
    print(json.dumps(SCHEMAS[wanted], indent=2))
    return EXIT_OK


def doctor(as_json: bool) -> int:
    import json

    from clm.cli import doctor as checks

    found = checks.checks()
    print(json.dumps(checks.as_json(found), indent=2) if as_json else checks.report(found))
    return EXIT_OK if all(check.found for check in found) else EXIT_FAILED


def init(folder: Path) -> int:
    from clm.scaffold import scaffold

    try:
        written = scaffold(folder)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    for path in written:
        print(f"created {path}")
    print(f"\nNext: cd {folder} && doit")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    import sqlite3

    from clm.state.db import STATE_PATH, is_damage, unreadable_state

    args = _parser().parse_args(argv)
    try:
        return _command(args)
    except KeyboardInterrupt:
        # Before doit runs (planning, waiting for the lock) or after it: nothing half-done.
        print("\nclm: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.DatabaseError as error:
        if not is_damage(error):
            raise
        # Damage found past opening. The cache is disposable, the state is not.
        from clm.state import cache

        if cache.replace_if_damaged():
            print("error: the damaged cache was replaced; run the command again", file=sys.stderr)
        else:
            print(f"error: {unreadable_state(Path(STATE_PATH), error)}", file=sys.stderr)
        return EXIT_USAGE


def _command(args: argparse.Namespace) -> int:
    if args.command == "build":
        return build(args.spec, args.only, args.lang, args.jobs, args.no_wait)
    if args.command == "watch":
        return watch(args.spec, args.jobs)
    if args.command == "clean":
        return clean(args.spec)
    if args.command == "status":
        return status_command(args.course, args.json)
    if args.command == "jobs":
        return jobs_command(args)
    if args.command == "workers":
        return workers_command(args.course, args.json)
    if args.command == "cache":
        return cache_command(args)
    if args.command == "schema":
        return schema_command(args.name)
    if args.command == "doctor":
        return doctor(args.json)
    return init(args.dir)


if __name__ == "__main__":
    sys.exit(main())
