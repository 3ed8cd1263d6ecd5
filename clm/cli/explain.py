"""``clm cache explain OUTPUT``: why an output would be rebuilt, and whether the cache serves it.

doit's own up-to-date check is asked with its reasons (changed, added or
missing files, a missing target), in the author's words; the check also covers
the task that makes what the output is built from (the executed notebook of
an HTML page, the render of a placed picture). The results cache is looked up
by the key the build would use, without marking the entry as used.
"""

from __future__ import annotations

import os
from pathlib import Path

from clm.errors import CourseError
from clm.languages import is_ipykernel
from clm.state.checker import VIRTUAL_PREFIX

_VALUES = {
    "clm:engine": "clm's version or its packaged templates",
    "clm:diagram-converters": "the versions of the diagram converters",
}
_KERNEL_ENVIRONMENT = f"{VIRTUAL_PREFIX}kernel-environment-"
_LINKS = f"{VIRTUAL_PREFIX}links:"  # clm.tasks.xrefs


def _name(dep: str) -> str:
    if dep.startswith(_LINKS):
        return "where its clm: links lead (the targets' titles and numbers)"
    if dep.startswith(_KERNEL_ENVIRONMENT):
        kernel = dep.removeprefix(_KERNEL_ENVIRONMENT)
        what = "its Python packages" if is_ipykernel(kernel) else "its kernelspec or runtime"
        return f"the environment of the kernel {kernel} ({what})"
    return _VALUES.get(dep, dep if not dep.startswith(VIRTUAL_PREFIX) else dep[4:])


def _reasons(status) -> list[str]:
    words = []
    for reason, value in status.reasons.items():
        items = value if isinstance(value, list) else [value]
        if reason == "changed_file_dep":
            words += [f"changed: {_name(dep)}" for dep in items]
        elif reason == "missing_target":
            words += [f"missing: {target}" for target in items]
        elif reason == "added_file_dep":
            words += [f"new input: {_name(dep)}" for dep in items]
        elif reason == "removed_file_dep":
            words += [f"no longer an input: {_name(dep)}" for dep in items]
        elif reason == "has_no_dependencies":
            words.append("it has no inputs, so it always runs")
        elif reason == "uptodate_false":
            words.append("its own check says it is out of date")
        elif reason == "checker_changed":
            words.append("the way inputs are compared changed")
        else:
            words.append(f"{reason}: {value}")
    if status.status == "error":
        words.append(status.get_error_message())
    if not words and status.status == "run":
        words.append("it has never been built")
    return words


def _relative(output: str, root: Path) -> str:
    path = Path(output)
    if not path.is_absolute():
        path = Path.cwd() / path
    try:
        return Path(os.path.relpath(path.resolve(), root.resolve())).as_posix()
    except ValueError:
        return output


def explain(spec_file: Path, output: str) -> dict:
    """What the build would do about ``output``; CourseError when no task makes it."""
    from doit.dependency import Dependency

    from clm.spec import course_root
    from clm.state.backend import SqliteStateDB
    from clm.state.doit_state import DoitState
    from clm.state.workspace import Workspace
    from clm.tasks.generator import prepared_tasks

    state = DoitState(Workspace.at(course_root(spec_file)))
    build, tasks = prepared_tasks(spec_file, keep=False, state=state)
    root = build.spec.root
    wanted = _relative(output, root)
    makers = {target: task for task in tasks.values() for target in task.targets}
    task = makers.get(wanted)
    if task is None:
        raise CourseError(
            f"no output of {build.spec.key} is {wanted!r}; give a path below "
            f"{build.plan.course.output}/ as the build writes it"
        )
    state_file = str(build.session.workspace().state_file)
    dependency = Dependency(
        SqliteStateDB, state_file, checker_cls=state.checker, codec_cls=state.codec
    )
    status = dependency.get_status(task, tasks, get_log=True)
    upstream = []
    for dep in sorted(task.file_dep):
        maker = makers.get(dep)
        if maker is not None:
            maker_status = dependency.get_status(maker, tasks, get_log=True)
            upstream.append(
                {
                    "task": maker.name,
                    "status": maker_status.status,
                    "reasons": _reasons(maker_status),
                }
            )
    return {
        "output": wanted,
        "task": task.name,
        "status": status.status,
        "reasons": _reasons(status),
        "made_from": sorted(_name(dep) for dep in task.file_dep),
        "upstream": upstream,
        "cache": _cache_lookup(task, makers),
    }


def _job(task):
    """The job record of a task's action (see clm.tasks.jobs)."""
    (action,) = task.actions
    return action.args[0] if action.args else None


def _cache_lookup(task, makers: dict) -> dict | None:
    """Whether the results cache holds what the output is made from."""
    from clm.tasks.jobs import DeckExecutionJob, RenderJob

    for dep in sorted(task.file_dep):
        maker = makers.get(dep)
        if maker is None:
            continue
        job = _job(maker)
        if isinstance(job, DeckExecutionJob):
            return _execution_lookup(job, dep)
        if isinstance(job, RenderJob):
            return _render_lookup(job)
    job = _job(task)
    return _render_lookup(job) if isinstance(job, RenderJob) else None


def _execution_lookup(job, executed: str) -> dict:
    from clm.state.cache import SqliteResultsCache
    from clm.state.results import EXECUTIONS
    from clm.tasks.execution import deck_groups

    groups = deck_groups(job)
    key = next(
        k for k, members in groups.items() if any(m.notebook_path == executed for m in members)
    )
    cache_file = job.session.workspace().cache_file
    hit = SqliteResultsCache(cache_file).contains(EXECUTIONS, key)
    kept = None if hit else _kept_failure(cache_file, key)
    return {"kind": "execution", "key": key, "hit": hit, "kept_failure": kept}


def _kept_failure(cache_file: Path, key: str) -> dict | None:
    """The cell error the cache keeps under ``key``, read without marking it as used."""
    from clm.state.cache import peek
    from clm.state.results import FAILURES, decode_failure

    data = peek(cache_file, FAILURES, key)
    try:
        failure = None if data is None else decode_failure(data)
    except ValueError:  # a damaged entry: the build drops it and runs the code
        return None
    return None if failure is None else {"ran_on": failure.ran_on, "error": failure.error}


def _render_lookup(job) -> dict:
    from clm.state.cache import SqliteResultsCache
    from clm.state.results import RENDERS
    from clm.tasks.rendering import job_render_key

    key = job_render_key(job)
    hit = SqliteResultsCache(job.session.workspace().cache_file).contains(RENDERS, key)
    return {"kind": "render", "key": key, "hit": hit}


def explain_text(report: dict) -> str:
    verdict = {
        "up-to-date": "is up to date: the next build leaves it alone",
        "run": "would be rebuilt",
        "error": "cannot be built",
    }[report["status"]]
    lines = [f"{report['output']} {verdict}", f"  task: {report['task']}"]
    lines += [f"  because {reason}" for reason in report["reasons"]]
    for item in report["upstream"]:
        state = "up to date" if item["status"] == "up-to-date" else "out of date"
        lines.append(f"  made from the result of {item['task']} ({state})")
        lines += [f"    because {reason}" for reason in item["reasons"]]
    found = report["cache"]
    if found is not None:
        answer = "holds it" if found["hit"] else "does not hold it: it would run"
        kept = found.get("kept_failure")
        if kept is not None:
            answer = (
                f"does not hold it, it keeps its failure: kept failure from {kept['ran_on']}: "
                f"{kept['error']} (reported without running; --rerun-failed runs it)"
            )
        lines.append(f"  the cache of {found['kind']}s {answer} (key {found['key'][:12]}…)")
    lines.append("  made from: " + ", ".join(report["made_from"]))
    return "\n".join(lines)
