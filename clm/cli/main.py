"""The ``clm`` command: its arguments, and the module each command goes to (clm.cli.building,
clm.cli.validating or clm.cli.inspecting). No build logic lives in clm.cli."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from clm import __version__
from clm.cli import validating
from clm.encoding import tolerate_any_text
from clm.errors import CourseError
from clm.plan.variants import Kind
from clm.tasks.runner import EXIT_FAILED, EXIT_USAGE


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
        "--targets",
        metavar="A,B",
        help="build only these output targets (e.g. shared,trainer; see `clm plan`)",
    )
    build.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="worker processes (default: cores)"
    )
    build.add_argument(
        "--no-wait",
        action="store_true",
        help="exit with 2 instead of waiting when another build of the course runs",
    )
    build.add_argument(
        "--executor",
        metavar="WHERE",
        help="where decks' code runs: local (default), or dask://HOST:PORT for a Dask "
        "scheduler, with ,fallback=local to run here when it cannot be reached "
        "(default: $CLM_EXECUTOR)",
    )
    validating.add_xref_option(build)
    validating.add_rerun_option(build)

    plan = commands.add_parser("plan", help="every job a build consists of (nothing is built)")
    plan.add_argument("spec", nargs="?", help="course spec (default as for build)")
    plan.add_argument("--only", metavar="TOPIC|SECTION", help="plan one topic or one section")
    plan.add_argument("--lang", action="append", metavar="L", help="plan one language")
    plan.add_argument("--targets", metavar="A,B", help="plan only these output targets")
    plan.add_argument("--json", action="store_true", help="one JSON object per job and line")

    validating.add_command(commands)

    watch = commands.add_parser(
        "watch", help="build, then rebuild what each saved change affects (as `doit auto`)"
    )
    watch.add_argument("spec", nargs="?", help="course spec (default as for build)")
    watch.add_argument(
        "-j", "--jobs", type=int, metavar="N", help="worker processes (default: cores)"
    )

    serve = commands.add_parser(
        "serve",
        help="watch the course and show it in a browser, reloading the page you edit "
        "(as `doit auto --serve`)",
    )
    serve.add_argument("spec", nargs="?", help="course spec (default as for build)")
    serve.add_argument(
        "--port", type=int, default=8000, metavar="N", help="port to serve on (default: 8000)"
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to serve on (default: 127.0.0.1, this machine only; the preview "
        "has no login)",
    )
    serve.add_argument(
        "--open", action="store_true", help="open the course page in a browser once built"
    )
    serve.add_argument(
        "--lang", action="append", metavar="L", help="build and show one language (repeatable)"
    )
    serve.add_argument(
        "--kind",
        action="append",
        choices=[kind.value for kind in Kind],
        help="show one kind on the course page (repeatable; every kind is still built)",
    )
    serve.add_argument(
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
        "cache", help="the course's cache of executions and renders (in its .clm folder)"
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
        "export",
        parents=[report],
        help="write the cache into one file, or into a folder (a path ending in /, or an "
        "existing folder) as a signed file:// store of the shared cache",
    )
    export.add_argument("file")  # a str: its trailing / says "a store folder"
    export.add_argument("--namespace", help="a store folder's namespace (default: $CLM_CACHE_PUSH)")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")
    export.add_argument("--spec", help="course spec (default as for build)")
    cache_commands.add_parser(
        "keygen", parents=[report], help="write clm-cache.pub and clm-cache.key (shared cache)"
    )
    for name, text in (
        ("push", "push the plan's results to $CLM_CACHE_PUSH, with a manifest"),
        ("pull", "copy what the trusted namespaces' newest manifests list"),
        ("verify", "check every entry of the trusted namespaces: signature, blob digest"),
    ):
        shared = cache_commands.add_parser(name, parents=[report], help=text)
        shared.add_argument("--spec", help="course spec (default as for build)")
    gc = cache_commands.add_parser(
        "gc", parents=[report], help="keep what the newest N manifests per namespace name"
    )
    gc.add_argument("--keep", type=int, required=True, metavar="N")
    gc.add_argument("--spec", help="course spec (default as for build)")
    promote = cache_commands.add_parser(
        "promote", parents=[report], help="copy a namespace's newest manifest into another"
    )
    promote.add_argument("source", metavar="FROM", help="e.g. pr-123")
    promote.add_argument("--to", required=True, metavar="NAMESPACE", help="e.g. ci-main")
    promote.add_argument("--spec", help="course spec (default as for build)")
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
    doctor.add_argument("--install", action="store_true", help="first fetch what `setup` would")
    commands.add_parser("setup", help="fetch the files clm needs (PlantUML's jar) for this user")

    init = commands.add_parser("init", help="create a new course in DIR")
    init.add_argument("dir", type=Path)
    init.add_argument(
        "--prog-lang",
        default="python",
        help="the language of the course's decks: python (default), java, typescript, cpp, "
        "csharp or rust",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    from clm.state.db import DatabaseError, is_damage

    tolerate_any_text()  # before argparse, which prints too
    args = _parser().parse_args(argv)
    try:
        return _command(args)
    except BrokenPipeError:
        # The reader went away (`clm plan --json | head`): nothing more to say, quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except KeyboardInterrupt as interrupt:
        # Before doit runs (planning, waiting for the lock) or after it: nothing half-done.
        from clm.workers.lifetime import interrupt_exit

        code, what = interrupt_exit(interrupt)
        print(f"\nclm: {what}", file=sys.stderr)
        return code
    except CourseError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseError as error:
        if not is_damage(error):
            raise
        from clm.cli.inspecting import damaged_state

        return damaged_state(error)


def _command(args: argparse.Namespace) -> int:
    from clm.cli import building, inspecting

    if args.command == "build":
        return building.build(
            args.spec,
            args.only,
            args.lang,
            args.jobs,
            args.no_wait,
            args.executor,
            building.names(args.targets),
            args.fail_on_missing_xref,
            args.rerun_failed,
        )
    if args.command == "plan":
        return building.plan(
            args.spec, args.only, args.lang, args.json, building.names(args.targets)
        )
    if args.command == "validate":
        return validating.validate(args.spec, args.json, args.fail_on_missing_xref)
    if args.command == "watch":
        return building.watch(args.spec, args.jobs)
    if args.command == "serve":
        return building.serve(args.spec, args)
    if args.command == "clean":
        return building.clean(args.spec)
    if args.command == "status":
        return inspecting.status_command(args.course, args.json)
    if args.command == "jobs":
        return inspecting.jobs_command(args)
    if args.command == "workers":
        return inspecting.workers_command(args.course, args.json)
    if args.command == "cache":
        return inspecting.cache_command(args)
    if args.command == "schema":
        return inspecting.schema_command(args.name)
    if args.command == "doctor":
        return inspecting.doctor(args.json, args.install)
    if args.command == "setup":
        return inspecting.setup()
    return inspecting.init(args.dir, args.prog_lang)


if __name__ == "__main__":
    sys.exit(main())
