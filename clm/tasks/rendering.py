"""The render action: a diagram source's pictures, from the results cache or a converter."""

from __future__ import annotations

from pathlib import Path

from doit.exceptions import TaskFailed

from clm.diagrams.names import DRAWIO
from clm.paths import OutsideFolder
from clm.session.worker import job_context
from clm.state import counters
from clm.state.cache import cache_warnings, fetched_remotely
from clm.state.results import RENDERS, ResultsCache, cached_files, pack_files
from clm.tasks.actions import reports_write_failures
from clm.tasks.files import write_atomic
from clm.tasks.jobs import RenderJob
from clm.workers.lifetime import working_on


def render_inputs(job: RenderJob) -> tuple[str, bytes, list[tuple[str, bytes]]]:
    """The diagram's converter, its bytes and the (path, bytes) of the files it includes."""
    included = [(path, Path(path).read_bytes()) for path in job.includes if Path(path).is_file()]
    return job.converter, Path(job.source).read_bytes(), included


def job_render_key(job: RenderJob) -> str:
    from clm.diagrams.render import render_key

    kind, data, included = render_inputs(job)
    return render_key(kind, data, job.formats, included)


@reports_write_failures
def render_diagram(job: RenderJob, cache: ResultsCache | None = None) -> TaskFailed | dict:
    """Render a diagram into ``.clm/renders/``, or take its pictures from the cache.

    A cached render whose file names differ from those the plan expects
    cannot be used: it is dropped and the source rendered again.
    """
    working_on(f"{job.source}:render", job.session.state_file)
    context = job_context(job.session)
    workspace = context.workspace
    from clm.diagrams.errors import DiagramError
    from clm.diagrams.render import render_key

    cache = cache or context.results
    expected = {name for name, _ in job.targets}
    kind, data, included = render_inputs(job)
    key = render_key(kind, data, job.formats, included)
    files = cached_files(cache, key)
    counters.add_counts(workspace, {counters.REMOTE_HITS: fetched_remotely(cache)})
    if files is not None and {name for name, _ in files} != expected:
        cache.drop(RENDERS, key)
        files = None
    from_cache = files is not None
    if files is not None:
        counters.add_counts(workspace, {counters.RENDER_CACHE_HITS: 1})
    else:
        converters = context.converters
        before = converters.started(kind)
        try:
            files = converters.render(kind, job.source, data, job.formats)
        except DiagramError as error:
            return TaskFailed(str(error))
        finally:
            started = counters.BROWSERS if kind == DRAWIO else counters.JVMS
            counters.add_counts(workspace, {started: converters.started(kind) - before})
        cache.put(RENDERS, key, pack_files(files))
        counters.add_counts(workspace, {counters.DIAGRAMS_RENDERED: 1})
    produced = dict(files)
    if set(produced) != expected:
        return TaskFailed(
            f"{job.source}: rendered {', '.join(sorted(produced))}, but the plan expected "
            f"{', '.join(name for name, _ in job.targets)}; the file changed while building, "
            "build again"
        )
    try:
        for name, target in job.targets:
            write_atomic(Path(target), produced[name], workspace, None, inside=workspace.folder)
    except OutsideFolder as exc:
        return TaskFailed(str(exc))
    warnings = cache_warnings(cache)  # a shared cache that failed, say
    return (
        {"from_cache": from_cache, "warnings": warnings} if warnings else {"from_cache": from_cache}
    )
