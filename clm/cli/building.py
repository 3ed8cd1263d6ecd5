"""The commands that build: ``clm build``, ``watch``, ``serve``, ``clean``, ``plan`` and ``jobs retry``.

Each parses nothing and decides nothing: it finds the spec, hands over to the
build layer and turns the answer into lines and an exit code.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from clm.errors import CourseError
from clm.tasks.runner import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def _error(error: CourseError | str) -> int:
    print(f"error: {error}", file=sys.stderr)
    return EXIT_USAGE


def _enter_course(spec: str | None) -> Path:
    """The spec's absolute path; the working directory becomes its course root."""
    from clm.spec import course_root, locate_spec

    spec_file = locate_spec(spec)
    os.chdir(course_root(spec_file))
    return spec_file


def names(listed: str | None) -> tuple[str, ...] | None:
    """``--targets a,b`` → ("a", "b"); None when not given."""
    if listed is None:
        return None
    return tuple(name.strip() for name in listed.split(",") if name.strip())


def _positive(command: str, jobs: int | None) -> bool:
    if jobs is not None and jobs < 1:
        print(f"clm {command}: -j needs a positive number of workers", file=sys.stderr)
        return False
    return True


def build(
    spec: str | None,
    only: str | None,
    langs: list[str] | None,
    jobs: int | None,
    no_wait: bool = False,
    executor: str | None = None,
    targets: tuple[str, ...] | None = None,
    fail_on_missing_xref: bool | None = None,
    rerun_failed: bool | None = None,
) -> int:
    from clm.execute.choice import ENVIRONMENT_VARIABLE, parse_executor
    from clm.spec import course_root

    if not _positive("build", jobs):
        return EXIT_USAGE
    try:
        if executor is None and os.environ.get(ENVIRONMENT_VARIABLE):
            choice = parse_executor(os.environ[ENVIRONMENT_VARIABLE], ENVIRONMENT_VARIABLE)
        else:
            choice = parse_executor(executor)
        spec_file = _enter_course(spec)
        root = course_root(spec_file)
        shortcut = None
        if only is None and not langs and targets is None and fail_on_missing_xref is None:
            from clm.tasks import unchanged

            shortcut = unchanged.begin(spec_file, root)
            if shortcut is None:  # nothing changed since the last build: said so
                return EXIT_OK
        # Imported once the build has work to do.
        from clm.session.reporter import Reporter
        from clm.state.doit_state import DoitState
        from clm.state.workspace import Workspace
        from clm.tasks.generator import prepared_tasks
        from clm.tasks.runner import run_doit
        from clm.workers import begin_run

        begin_run()
        reporter = Reporter()
        state = DoitState(Workspace.at(root))  # the run's, doit's and ours
        build, tasks = prepared_tasks(
            spec_file,
            only,
            tuple(langs) if langs else None,
            reporter=reporter,
            targets=targets,
            state=state,
            fail_on_missing_xref=fail_on_missing_xref,
            rerun_failed=rerun_failed,
            shortcut=shortcut,
        )
    except CourseError as error:
        return _error(error)
    from clm.session.session import install
    from clm.tasks.generator import build_session

    session = install(build_session(build, reporter, shortcut))
    if choice.address is None:
        return run_doit(session, state, tasks.values, [], jobs, no_wait)
    return _build_on_cluster(session, state, tasks, choice, jobs, no_wait)


def _build_on_cluster(session, state, tasks: dict, choice, jobs: int | None, no_wait: bool) -> int:
    """Fill the cache on the cluster, then build here; the lock is held throughout."""
    from clm.tasks.cluster_fill import pre_pass
    from clm.tasks.runner import run_doit

    return run_doit(
        session,
        state,
        tasks.values,
        [],
        jobs,
        no_wait,
        before=lambda: pre_pass(tasks, choice, session, state),
    )


def watch(spec: str | None, jobs: int | None) -> int:
    from clm.spec import locate_spec
    from clm.watch.engine import watch_course

    if not _positive("watch", jobs):
        return EXIT_USAGE
    try:
        return watch_course(locate_spec(spec), jobs)
    except CourseError as error:
        return _error(error)


def serve(spec: str | None, args) -> int:
    from clm.plan.variants import Kind
    from clm.serve.command import serve_course
    from clm.spec import locate_spec

    if not _positive("serve", args.jobs):
        return EXIT_USAGE
    if not 0 <= args.port <= 65535:
        print(
            f"error: --port {args.port} is no port (0 to 65535; 0 picks a free one)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        return serve_course(
            locate_spec(spec),
            args.jobs,
            port=args.port,
            host=args.host,
            open_browser=args.open,
            languages=tuple(args.lang) if args.lang else None,
            kinds=tuple(Kind(kind) for kind in args.kind) if args.kind else None,
        )
    except CourseError as error:
        return _error(error)


def clean(spec: str | None) -> int:
    from clm.spec import load_spec, locate_spec
    from clm.state import lock
    from clm.state.workspace import Workspace
    from clm.tasks.cleaning import clean_outputs
    from clm.tasks.runner import locked_out

    try:
        course_spec = load_spec(locate_spec(spec))
    except CourseError as error:
        return _error(error)
    os.chdir(course_spec.root)
    try:
        with lock.holding(Workspace.at(course_spec.root).lock_file, wait=False):
            removed, refused = clean_outputs(course_spec)
    except lock.BuildLocked as locked:
        return _error(locked_out("clm clean", locked.holder))
    for message in refused:
        print(f"error: {message}", file=sys.stderr)
    print(f"removed {removed} outputs of {course_spec.key}")
    return EXIT_FAILED if refused else EXIT_OK


def plan(
    spec: str | None,
    only: str | None,
    langs: list[str] | None,
    as_json: bool,
    targets: tuple[str, ...] | None = None,
) -> int:
    """Print every job of the build: one JSON object a line with --json."""
    from clm.session.reporter import Reporter
    from clm.tasks.generator import prepared_tasks
    from clm.tasks.jobs import job_json

    try:
        spec_file = _enter_course(spec)
        build, tasks = prepared_tasks(
            spec_file,
            only,
            tuple(langs) if langs else None,
            reporter=None if as_json else Reporter(),
            targets=targets,
            keep=False,  # `clm plan` builds nothing, and writes nothing
        )
    except CourseError as error:
        return _error(error)
    jobs = [(name, job) for name, task in tasks.items() for job in _jobs(task)]
    # A deck that fails its checks is in the plan (its check fails, its outputs wait),
    # and named here as the build would name it.
    for error in build.deck_errors.values():
        print(f"error: {error}", file=sys.stderr)
    verdict = EXIT_FAILED if build.deck_errors else EXIT_OK
    if as_json:
        for name, job in jobs:
            print(job_json(name, job))
        return verdict
    counts: dict[str, int] = {}
    for name, job in jobs:
        counts[job.JOB] = counts.get(job.JOB, 0) + 1
        targets = ", ".join(tasks[name].targets[:2]) + (
            " …" if len(tasks[name].targets) > 2 else ""
        )
        print(f"{job.JOB:<9} {name}" + (f" -> {targets}" if targets and targets != name else ""))
    for target in build.plan.targets:
        kinds = ", ".join(target.kinds)
        print(f"target {target.name}: {target.path} ({kinds})")
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
    print(f"{build.spec.key}: {len(jobs)} jobs ({summary})")  # the last line: the summary
    return verdict


def _jobs(task) -> list:
    from clm.tasks.jobs import task_jobs

    return task_jobs(task)


def retry(workspace, job_id: int | None, failed: bool, as_json: bool) -> int:
    from clm.cli import reports

    if (job_id is None) == (not failed):
        return _error("name a job ID or say --failed")
    try:
        spec, tasks = reports.tasks_to_retry(workspace, job_id)
    except CourseError as error:
        return _error(error)
    if not tasks:
        print(json.dumps({"tasks": [], "exit_code": 0}) if as_json else "nothing failed")
        return EXIT_OK
    code = _run_tasks(Path(spec).resolve(), tasks, quiet=as_json)
    if as_json:
        print(json.dumps({"tasks": tasks, "exit_code": code}))
    return code


def _run_tasks(spec_file: Path, names: list[str], quiet: bool) -> int:
    from clm.session.reporter import Reporter
    from clm.session.session import install
    from clm.spec import course_root
    from clm.state.doit_state import DoitState
    from clm.state.workspace import Workspace
    from clm.tasks.generator import build_session, prepared_tasks
    from clm.tasks.runner import run_doit
    from clm.workers import begin_run

    reporter = Reporter()
    try:
        begin_run()
        state = DoitState(Workspace.at(course_root(spec_file)))
        # Retrying a failed job means running it: a kept cell failure too.
        build, tasks = prepared_tasks(
            spec_file, reporter=reporter, warn=False, state=state, rerun_failed=True
        )
    except CourseError as error:
        return _error(error)
    session = install(build_session(build, reporter))
    # Tasks of an older plan that the spec no longer has are skipped, not an error.
    wanted = [name for name in names if name in tasks]
    if not wanted:
        return EXIT_OK
    # With --json, stdout carries the JSON alone: doit reports to stderr.
    options = (
        ["--output-file", "/dev/stderr" if os.name == "posix" else os.devnull] if quiet else []
    )
    return run_doit(session, state, tasks.values, [*options, *wanted])
