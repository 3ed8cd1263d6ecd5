"""doit reporter ``clm``: what ran, each failure once, and a closing summary.

Like doit's ``executed-only`` reporter it is silent about up-to-date tasks. A
failed execution makes doit report every dependent output again as an
"UnmetDependency"; those are counted, not repeated, since the failure's own
message already lists the outputs that keep their last good version.
"""

from __future__ import annotations

from doit.exceptions import BaseFail, UnmetDependency
from doit.reporter import ExecutedOnlyReporter

from clm.state import counters


def work_summary(totals: dict[str, int]) -> str:
    def count(name: str, one: str, many: str) -> str:
        value = totals.get(name, 0)
        return f"{value} {one if value == 1 else many}"

    return (
        f"clm: {count(counters.KERNELS, 'kernel', 'kernels')} ran deck code "
        f"({count(counters.SPARE_KERNELS, 'spare', 'spares')} started ahead), "
        f"{count(counters.CACHE_HITS, 'execution', 'executions')} from the cache, "
        f"{count(counters.OUTPUTS_WRITTEN, 'output', 'outputs')} written; "
        f"{count(counters.DIAGRAMS_RENDERED, 'diagram', 'diagrams')} rendered "
        f"({count(counters.JVMS, 'JVM', 'JVMs')} and "
        f"{count(counters.BROWSERS, 'browser', 'browsers')} started), "
        f"{count(counters.RENDER_CACHE_HITS, 'render', 'renders')} from the cache"
    )


class ClmReporter(ExecutedOnlyReporter):
    desc = "clm: executed tasks, failures once each, and a summary"

    def __init__(self, outstream, options):
        super().__init__(outstream, options)
        self.not_rebuilt = 0

    def add_failure(self, task, fail: BaseFail) -> None:
        if isinstance(fail, UnmetDependency):
            if not task.has_subtask:
                self.not_rebuilt += 1
            return
        super().add_failure(task, fail)

    def complete_run(self) -> None:
        for result in self.failures:
            task = result["task"]
            if not task.executed:
                continue
            for stream in ("err", "out"):
                text = "".join(getattr(action, stream) or "" for action in task.actions)
                if text.strip():
                    self.write(f"{task.name} <std{stream}>:\n{text.rstrip()}\n")
        if self.runtime_errors:
            self.write("Execution aborted.\n" + "\n".join(self.runtime_errors) + "\n")
        self.write(work_summary(counters.totals()) + "\n")
        if self.failures:
            failed = len(self.failures)
            summary = f"\nclm: {failed} task{'s' if failed != 1 else ''} failed"
            if self.not_rebuilt:
                summary += (
                    f"; {self.not_rebuilt} output{'s' if self.not_rebuilt != 1 else ''} "
                    "depending on them kept their last good version"
                )
            self.write(summary + ".\n")
