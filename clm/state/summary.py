"""The closing summary of a build: what it ran, started and took from the caches."""

from __future__ import annotations

from clm.state import counters


def work_summary(totals: dict[str, int]) -> str:
    def count(name: str, one: str, many: str) -> str:
        value = totals.get(name, 0)
        return f"{value} {one if value == 1 else many}"

    on_cluster = (
        f"{count(counters.CLUSTER_EXECUTIONS, 'execution', 'executions')} ran on the cluster, "
        if totals.get(counters.CLUSTER_EXECUTIONS)
        else ""
    )
    shared = (
        f"{count(counters.REMOTE_HITS, 'result', 'results')} fetched from the shared cache, "
        if totals.get(counters.REMOTE_HITS)
        else ""
    )
    # Why a deck failed without running: said, so that the author does not wait for it.
    kept = (
        f"{count(counters.KEPT_FAILURES, 'kept failure', 'kept failures')} reported "
        "without running, "
        if totals.get(counters.KEPT_FAILURES)
        else ""
    )
    return (
        f"clm: {count(counters.KERNELS, 'kernel', 'kernels')} ran deck code "
        f"({count(counters.SPARE_KERNELS, 'spare', 'spares')} started ahead), {on_cluster}"
        f"{count(counters.CACHE_HITS, 'execution', 'executions')} from the cache, {kept}{shared}"
        f"{count(counters.OUTPUTS_WRITTEN, 'output', 'outputs')} written; "
        f"{count(counters.DIAGRAMS_RENDERED, 'diagram', 'diagrams')} rendered "
        f"({count(counters.JVMS, 'JVM', 'JVMs')} and "
        f"{count(counters.BROWSERS, 'browser', 'browsers')} started), "
        f"{count(counters.RENDER_CACHE_HITS, 'render', 'renders')} from the cache"
    )
