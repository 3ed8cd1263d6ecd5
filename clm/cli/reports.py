"""Answers to ``clm status``, ``clm jobs``, ``clm workers`` and ``clm cache``, as plain data.

Each report is a dict that ``--json`` prints as it is (the shapes are
``clm/schemas.py``) and a ``*_text`` function turns into lines for a person.
Reports read the state and never wait for a running build.
"""

from __future__ import annotations

import time
from dataclasses import asdict

from clm.errors import CourseError
from clm.state import cache, history, lock
from clm.state.store import sources_changed
from clm.state.workspace import Workspace


def _run(run: history.Run | None) -> dict | None:
    if run is None:
        return None
    data = asdict(run)
    data["duration"] = None if run.ended is None else round(run.ended - run.started, 3)
    return data


def _job(job: history.Job) -> dict:
    from clm.tasks.kept_failures import kept_on

    data = asdict(job)
    data["duration"] = None if job.duration is None else round(job.duration, 3)
    data["kept_on"] = kept_on(job.error)  # a cell error the cache keeps, reported again
    return data


def _worker(worker: history.Worker) -> dict:
    return asdict(worker)


def _ago(stamp: float | None) -> str:
    if stamp is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))


def cache_report(workspace: Workspace) -> dict:
    stats = cache.stats(workspace.cache_file)
    served, ran = history.cache_use(workspace)
    return {
        "file": workspace.cache_file.relative_to(workspace.root).as_posix(),
        "entries": stats.entries,
        "executions": stats.executions,
        "renders": stats.renders,
        "failures": stats.failures,
        "bytes": stats.size,
        "served_recently": served,
        "ran_recently": ran,
        "hit_rate": round(served / (served + ran), 3) if served + ran else None,
    }


def status(workspace: Workspace) -> dict:
    latest = history.runs(workspace, limit=1)
    last = latest[0] if latest else None
    failures = history.jobs(workspace, last.id, failed_only=True) if last else []
    out_of_date = 0
    if last is not None:
        out_of_date = last.failed + last.not_rebuilt
    return {
        "running": lock.is_locked(workspace.lock_file),
        "last_run": _run(last),
        "failures": [_job(job) for job in failures],
        "out_of_date": out_of_date,
        "sources_changed": sources_changed(workspace),
        "cache": cache_report(workspace),
        "workers": [_worker(w) for w in history.live_workers(workspace)],
        "cluster": _cluster(workspace),
    }


def _cluster(workspace: Workspace) -> dict | None:
    from clm.state.cluster import last_record

    record = last_record(workspace)
    return None if record is None else record.to_dict()


def cluster_text(cluster: dict | None) -> list[str]:
    """The cluster lines of ``clm status`` and ``clm workers list``."""
    if cluster is None:
        return []
    workers = cluster["workers"]
    count = f"{len(workers)} worker{'s' if len(workers) != 1 else ''}"
    if cluster["active"]:
        lines = [
            f"cluster {cluster['address']}: {count}; this build's executions: "
            f"{cluster['done']}/{cluster['submitted']} done, {cluster['in_flight']} in flight "
            f"(as of {_ago(cluster['updated'])})"
        ]
        lines += [
            f"  {w['address']}  {w['threads']} thread{'s' if w['threads'] != 1 else ''}, "
            f"{w['running']} task{'s' if w['running'] != 1 else ''} processing"
            for w in workers
        ]
        return lines
    return [
        f"cluster {cluster['address']}: the last build sent it {cluster['submitted']} "
        f"executions ({cluster['done']} ended), {_ago(cluster['updated'])}"
    ]


def status_text(report: dict) -> str:
    lines = []
    run = report["last_run"]
    if report["running"]:
        lines.append("a build is running now")
    if run is None:
        lines.append("no build has run here yet")
    else:
        took = f" in {run['duration']:.1f} s" if run["duration"] is not None else ""
        lines.append(
            f"last run #{run['id']} ({' '.join(run['command'])}) {run['result']}{took}, "
            f"started {_ago(run['started'])}: {run['executed']} tasks run, {run['failed']} "
            f"failed, {run['uptodate']} up to date"
        )
        for job in report["failures"]:
            first = (job["error"] or "").strip().splitlines()[:1]
            kept = f"kept failure from {job['kept_on']}: " if job["kept_on"] else ""
            lines.append(f"  failed: {job['task']} (job {job['id']}): {kept}{' '.join(first)}")
        shared = (run.get("counters") or {}).get("remote-hits", 0)
        if shared:
            lines.append(
                f"{shared} result{'s' if shared != 1 else ''} from the shared cache in the last run"
            )
    lines.append(f"out of date as of the last run: {report['out_of_date']} tasks")
    lines.append(f"sources changed since: {report['sources_changed']}")
    lines.append(cache_text(report["cache"]))
    for worker in report["workers"]:
        lines.append(f"worker {worker['pid']}: {worker['task'] or 'idle'}")
    lines += cluster_text(report["cluster"])
    return "\n".join(lines)


def cache_text(report: dict) -> str:
    rate = "-" if report["hit_rate"] is None else f"{report['hit_rate']:.0%}"
    failures = report["failures"]
    kept = f", {failures} kept failure{'s' if failures != 1 else ''}" if failures else ""
    return (
        f"cache {report['file']}: {report['executions']} executions, {report['renders']} "
        f"renders{kept}, {report['bytes']:,} bytes; hit rate of recent runs {rate} "
        f"({report['served_recently']} served, {report['ran_recently']} run)"
    )


def jobs_list(workspace: Workspace, run: int | None, failed_only: bool) -> dict:
    if run is None:
        latest = history.runs(workspace, limit=1)
        run = latest[0].id if latest else None
    found = history.jobs(workspace, run, failed_only=failed_only) if run is not None else []
    return {"run": run, "jobs": [_job(job) for job in found]}


def jobs_text(report: dict) -> str:
    if report["run"] is None:
        return "no build has run here yet"
    if not report["jobs"]:
        return f"run #{report['run']}: no jobs"
    lines = [f"run #{report['run']}:"]
    for job in report["jobs"]:
        took = "" if job["duration"] is None else f" {job['duration']:.2f} s"
        cached = " (from the cache)" if job["from_cache"] else ""
        lines.append(f"{job['id']:>7}  {job['status']:<12}{took:>9}  {job['task']}{cached}")
    return "\n".join(lines)


def job_show(workspace: Workspace, job_id: int) -> dict | None:
    job = history.get_job(workspace, job_id)
    return None if job is None else _job(job)


def job_text(job: dict) -> str:
    lines = [
        f"job {job['id']} of run #{job['run']}: {job['task']}",
        f"status: {job['status']}",
        f"started: {_ago(job['started'])}, ended: {_ago(job['ended'])}"
        + ("" if job["duration"] is None else f" ({job['duration']:.2f} s)"),
    ]
    if job["from_cache"] is not None:
        lines.append(f"from the cache: {'yes' if job['from_cache'] else 'no'}")
    if job["error"]:
        lines.append("error:\n" + job["error"])
    return "\n".join(lines)


def tasks_to_retry(workspace: Workspace, job_id: int | None) -> tuple[str | None, list[str]]:
    """(spec, task names): one job's task, or (None) the last run's failed tasks and the
    tasks they held back. CourseError when there is no such job or no spec to build."""
    if job_id is None:
        latest = history.runs(workspace, limit=1)
        run = latest[0] if latest else None
        found = [] if run is None else history.jobs(workspace, run.id)
        tasks = sorted({j.task for j in found if j.status in ("failed", "not-rebuilt")})
    else:
        job = history.get_job(workspace, job_id)
        if job is None:
            raise CourseError(f"there is no job {job_id}")
        run, tasks = history.get_run(workspace, job.run), [job.task]
    if tasks and (run is None or not run.spec):
        raise CourseError("the run does not say which spec it built")
    return (run.spec if run else None), tasks


def workers(workspace: Workspace) -> dict:
    return {
        "workers": [_worker(w) for w in history.live_workers(workspace)],
        "cluster": _cluster(workspace),
    }


def workers_text(report: dict) -> str:
    lines = [
        f"{w['pid']:>8}  run #{w['run']}  heartbeat {_ago(w['heartbeat'])}  {w['task'] or 'idle'}"
        for w in report["workers"]
    ]
    cluster = report["cluster"]
    if not lines and not (cluster and cluster["active"]):
        lines.append("no build is running: no workers")
    return "\n".join([*lines, *cluster_text(cluster)])
