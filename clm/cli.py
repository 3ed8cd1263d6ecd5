"""The ``clm`` command: parse, hand over, print. No build logic lives here."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from clm import __version__
from clm.errors import CourseError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


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

    cache = commands.add_parser(
        "cache", help="the cache of executions and renders in .clm/cache.sqlite"
    )
    cache.add_argument("--course", type=Path, default=Path("."), help="course root (default: .)")
    cache_commands = cache.add_subparsers(dest="cache_command", metavar="ACTION")
    export = cache_commands.add_parser("export", help="write the cache into one file (for CI)")
    export.add_argument("file", type=Path)
    imported = cache_commands.add_parser("import", help="add the entries of an exported cache")
    imported.add_argument("file", type=Path)
    prune = cache_commands.add_parser("prune", help="drop least recently used entries")
    prune.add_argument("--max-size", required=True, metavar="SIZE", help="e.g. 500M, 2G")

    doctor = commands.add_parser(
        "doctor", help="list the converters and kernels clm can use, and what is missing"
    )
    doctor.add_argument("--json", action="store_true", help="print the checks as JSON")

    init = commands.add_parser("init", help="create a new course in DIR")
    init.add_argument("dir", type=Path)
    return parser


def build(spec: str | None, only: str | None, langs: list[str] | None, jobs: int | None) -> int:
    from doit.cmd_base import ModuleTaskLoader
    from doit.doit_cmd import DoitMain

    from clm.dodo import doit_config
    from clm.gc_pause import paused_garbage_collection
    from clm.spec import course_root, default_spec
    from clm.tasks import (
        course_tasks_for_doit,
        prepare_build,
        print_warnings,
    )

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

    namespace = {"DOIT_CONFIG": doit_config(jobs), "task_course": task_course}
    code = DoitMain(ModuleTaskLoader(namespace)).run(["run"])
    # doit: 1 = a task failed, 2 = a task raised; 3 = bad usage.
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
    from clm.actions import remove_outputs
    from clm.spec import course_root, default_spec
    from clm.state.records import recorded_outputs
    from clm.tasks import STATE_FILE_PATH

    try:
        spec_file = Path(spec).resolve() if spec else default_spec(Path.cwd()).resolve()
        root = course_root(spec_file)
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    os.chdir(root)
    key = spec_file.relative_to(root).as_posix()
    written = tuple(sorted(recorded_outputs(Path(STATE_FILE_PATH), key)))
    if written:
        # Emptied folders go too, up to the top folder the outputs share.
        top = written[0].split("/", 1)[0]
        remove_outputs(STATE_FILE_PATH, key, top, written)
    print(f"removed {len(written)} outputs of {key}")
    return EXIT_OK


def _size(text: str) -> int:
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    number, unit = text.strip().upper().rstrip("B"), ""
    if number and number[-1] in units:
        number, unit = number[:-1], number[-1]
    return int(float(number) * units[unit])


def cache_command(course: Path, action: str | None, file: Path | None, max_size: str | None) -> int:
    from clm.state import cache

    path = course / cache.CACHE_FILE
    if action == "export":
        exported = cache.export_cache(file.resolve(), path)
        print(
            f"exported {exported.executions} executions and {exported.renders} renders "
            f"({exported.size:,} bytes) to {file}"
        )
    elif action == "import":
        if not file.is_file():
            print(f"error: {file}: no such cache file", file=sys.stderr)
            return EXIT_USAGE
        added = cache.import_cache(file.resolve(), path)
        print(f"imported {added} new entries (executions and renders) from {file}")
    elif action == "prune":
        try:
            limit = _size(max_size)
        except (ValueError, KeyError):
            print(f"error: --max-size {max_size!r}: expected a size such as 500M", file=sys.stderr)
            return EXIT_USAGE
        removed = cache.prune(limit, path)
        print(f"removed {removed} entries; {cache.stats(path).size:,} bytes remain")
    else:
        stats = cache.stats(path)
        print(
            f"{path}: {stats.executions} executions, {stats.renders} renders, {stats.size:,} bytes"
        )
    return EXIT_OK


def doctor(as_json: bool) -> int:
    import json

    from clm import doctor as checks

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
    args = _parser().parse_args(argv)
    if args.command == "build":
        return build(args.spec, args.only, args.lang, args.jobs)
    if args.command == "watch":
        return watch(args.spec, args.jobs)
    if args.command == "clean":
        return clean(args.spec)
    if args.command == "cache":
        return cache_command(
            args.course,
            args.cache_command,
            getattr(args, "file", None),
            getattr(args, "max_size", None),
        )
    if args.command == "doctor":
        return doctor(args.json)
    return init(args.dir)


if __name__ == "__main__":
    sys.exit(main())
