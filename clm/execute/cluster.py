"""Running executions on a Dask cluster: the address, what a worker is sent, what it does.

The build's cluster pre-pass (clm.tasks.cluster_fill) sends every execution
the cache lacks to a Dask scheduler at once, one task each, named after its
cache key; Dask spreads them over its workers. A task carries plain data
only (an ``ExecutionJob``: the notebook's code as nbformat JSON, its input
files' bytes, the kernelspec, the timeout) and the fingerprint of the
environment the build expects. The worker computes its own fingerprint for
that kernel and runs the notebook only if the two are the same: a result made
elsewhere is stored under the build's key, so it must be what this machine
would print. A refusal carries the worker's packages (or runtime), for the
build to say what differs.

On the worker a notebook runs as it does in a local build, in a fresh kernel
of the thread's pool (clm.execute.kernels): a dead kernel is replaced once, a
failing cell is a result, never an exception, so Dask never runs a
deterministic error again. Before each cell the worker logs an event naming
the cell, so that a task which kills every worker it lands on can be blamed
on its cell.

A Dask scheduler runs whatever code its clients send: it belongs on a private
network, with TLS (``dask+tls://``, configured through Dask's
``distributed.comm.tls`` settings).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from clm.execute import fingerprints
from clm.execute.base import (
    Capabilities,
    EnvironmentRefusal,
    ExecutionFailure,
    ExecutionJob,
    ExecutionRequest,
    ExecutionResult,
    Finished,
)
from clm.execute.executor import LocalExecutor
from clm.execute.kernels import KernelPool
from clm.state.cluster import ClusterWorker

TASK_PREFIX = "clm-execution-"  # a Dask task's key: this and the execution's cache key
INPUT_PREFIX = "clm-input-"  # a large input file's task: this and its SHA-256
BIG_INPUT = 1_000_000  # bytes from which an input file is sent once, not with each execution
CELL_TOPIC = "clm-cell"  # the worker's event before each cell: {"key": ..., "cell": index}
# Seconds the scheduler has to answer: to connect, and to each question after. Dask's
# client waits for some answers for ever (its handshake reads the scheduler's greeting
# without a deadline), so every call to it goes through ``_answered``.
ANSWER_TIMEOUT_VARIABLE = "CLM_DASK_ANSWER_TIMEOUT"
ANSWER_TIMEOUT = 10.0
# Seconds a cluster may be without workers (an autoscaled one may take minutes to get some).
WORKER_WAIT_VARIABLE = "CLM_DASK_WORKER_WAIT"
WORKER_WAIT = 60.0
POLL_SECONDS = 0.05  # how often the pre-pass looks for ended tasks
CHECK_SECONDS = 2.0  # how often it asks whether the cluster still has workers
IDLE_SPARE_SECONDS = 10.0  # a worker's spare kernel lives this long without a notebook
INSTALL = "pip install 'clm[dask]'"

T = TypeVar("T")


# -- on the worker ------------------------------------------------------------------


def execute_on_worker(
    request: ExecutionRequest, shared: dict[str, bytes] | None = None
) -> ExecutionResult:
    """Run ``request`` here if this machine's environment is the build's (a Dask task).

    ``shared`` holds the job's large input files by relative path: Dask fetches
    each from wherever its input task ran (see DaskExecutor.submit).
    """
    from distributed import get_worker

    worker = get_worker()
    fingerprint, facts = worker_environment(request.job.kernel, request.job.python)
    if fingerprint != request.environment:
        return ExecutionResult(None, refused=EnvironmentRefusal(worker.address, facts))

    task = f"{TASK_PREFIX}{request.key}"

    def on_cell(index: int) -> None:
        state = worker.state.tasks.get(task)
        if state is None or state.state == "cancelled":
            # The build let go of it (Ctrl-C): Dask cannot stop a thread, this can.
            raise ExecutionCancelled(request.key)
        worker.log_event(CELL_TOPIC, {"key": request.key, "cell": index})

    job = request.job
    if shared:
        job = dataclasses.replace(job, inputs=(*job.inputs, *shared.items()))
    kernels = _thread_kernels()
    try:
        return LocalExecutor(kernels).run(job, on_cell)
    finally:
        _forget_spare_when_idle(kernels)


def input_file(data: bytes) -> bytes:
    """A large input file, as a task of its own (see DaskExecutor.submit)."""
    return data


class ExecutionCancelled(Exception):
    """The build that sent an execution no longer wants it."""


def _forget_spare_when_idle(kernels: KernelPool) -> None:
    """Shut the thread's spare kernel down unless another notebook takes it soon.

    A build ends its cluster use by releasing every spare (DaskExecutor.close);
    this covers a build that could not: one killed, or cut off from the cluster.
    """
    handed_out = kernels.handed_out

    def forget() -> None:
        if kernels.handed_out == handed_out:
            kernels.close()

    timer = threading.Timer(IDLE_SPARE_SECONDS, forget)
    timer.daemon = True
    timer.start()


# The kernel pools of a Dask worker's threads. Dask, not clm, starts the worker and
# runs each notebook in a thread of its own pool, and passes clm nothing to keep
# between tasks: so a thread's pool is found here, keyed by thread (a kernel stays
# with the thread that booted it) and by process (a forked child must not use its
# parent's kernels), and every pool of the process is listed for release_spares.
# Kernels end with the worker process (KernelPool's finalizer). clm's own workers
# are given their pool instead (clm.session.worker.JobContext).
_thread_pools = threading.local()
_every_pool: dict[int, weakref.WeakSet[KernelPool]] = {}


def _thread_kernels() -> KernelPool:
    """This thread's kernel pool (made on its first notebook)."""
    found = getattr(_thread_pools, "pool", None)
    if found is None or _thread_pools.pid != os.getpid():
        found = _thread_pools.pool = KernelPool()
        _thread_pools.pid = os.getpid()
        _every_pool.setdefault(os.getpid(), weakref.WeakSet()).add(found)
    return found


def worker_environment(kernel: str, python: str | None) -> tuple[str, tuple[str, ...]]:
    """(fingerprint, facts) of what runs ``kernel`` on this machine.

    The fingerprint is the one a build here would compute (both ask
    clm.execute.fingerprints); the facts are ``name==value`` lines
    (interpreter, packages, runtime files) a build compares with its own to
    say what differs. Computed again only when what it depends on changed (a
    package installed into a running worker's environment, a new JDK), which a
    few stat calls tell.
    """
    return _environment_of(kernel, python, fingerprints.stamp(kernel, python))


@functools.lru_cache(maxsize=16)
def _environment_of(kernel: str, python: str | None, stamp: str) -> tuple[str, tuple[str, ...]]:
    from clm.execute.environment import ProbeFailed

    try:
        found = fingerprints.of_kernel(kernel, python)
    except ProbeFailed as failed:
        return f"unusable:{python}", (f"interpreter {python}==cannot be used: {failed}",)
    return found.value, found.facts


def refusal(refused: EnvironmentRefusal, job: ExecutionJob) -> ExecutionFailure:
    """The failure of a job a worker refused: how its environment differs from the build's."""
    _, ours = worker_environment(job.kernel, job.python)
    lines = differences(ours, refused.facts)
    return ExecutionFailure(
        None,
        f"the Dask worker {refused.worker} refused to run it: its environment "
        f"is not this build's, so its outputs could differ ({'; '.join(lines)}); give "
        "every worker the course's environment",
        None,
    )


def differences(ours: Sequence[str], theirs: Sequence[str], limit: int = 12) -> list[str]:
    """What differs between two fact lists, a line each: 'numpy: 2.1.0 here, 1.26.4 there'."""

    def table(facts: Sequence[str]) -> dict[str, str]:
        return dict(fact.split("==", 1) if "==" in fact else (fact, "") for fact in facts)

    here, there = table(ours), table(theirs)
    lines = [
        f"{name}: {here.get(name, 'not installed')} here, "
        f"{there.get(name, 'not installed')} on the worker"
        for name in sorted(here.keys() | there.keys())
        if here.get(name) != there.get(name)
    ]
    if len(lines) > limit:
        lines[limit:] = [f"and {len(lines) - limit} more"]
    return lines or ["the same packages, yet another fingerprint (an older clm on the worker?)"]


# -- on the build's machine ---------------------------------------------------------


def answer_timeout() -> float:
    """How long the scheduler has to answer, in seconds (more over a slow link)."""
    try:
        seconds = float(os.environ.get(ANSWER_TIMEOUT_VARIABLE, ANSWER_TIMEOUT))
    except ValueError:
        return ANSWER_TIMEOUT
    return seconds if seconds > 0 else ANSWER_TIMEOUT


def worker_wait() -> float:
    """How long the build waits for a cluster without workers to get one, in seconds."""
    try:
        return max(float(os.environ.get(WORKER_WAIT_VARIABLE, WORKER_WAIT)), 0.0)
    except ValueError:
        return WORKER_WAIT


class ClusterUnreachable(Exception):
    """The scheduler did not answer, went away, has no workers, or clm[dask] is not installed."""


def _answered(
    call: Callable[[], T],
    address: str,
    what: str,
    seconds: float | None = None,
    late: Callable[[T], object] | None = None,
) -> T:
    """``call()``, or ClusterUnreachable when the scheduler keeps it waiting ``seconds``
    (answer_timeout() unless given).

    The call runs in a daemon thread: a scheduler that never answers leaves
    that thread blocked, not the build (nor the interpreter's exit). ``late``
    receives what a call that finished after all returned (a client to close).
    """
    box: dict[str, object] = {}
    abandoned = False
    settled = threading.Lock()  # the answer and the giving up never pass each other

    def run() -> None:
        try:
            value = call()
        except BaseException as error:  # handed to the caller, as the call would raise it
            box["error"] = error
            return
        with settled:
            box["value"] = value
            too_late = abandoned
        if too_late and late is not None:
            with contextlib.suppress(Exception):
                late(value)

    if seconds is None:
        seconds = answer_timeout()
    thread = threading.Thread(target=run, name=f"clm-dask-{what}", daemon=True)
    thread.start()
    thread.join(seconds)
    with settled:
        if "value" not in box and "error" not in box:
            abandoned = True
            raise ClusterUnreachable(
                f"the Dask scheduler at {address} did not answer within {seconds:g} s ({what})"
            )
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


class DaskExecutor:
    """A client of one Dask scheduler: submits every job at once, yields them as they end."""

    capabilities = Capabilities(runs_remotely=True, checks_environment=True)

    def __init__(self, address: str):
        self.address = address
        self.client = None
        self._futures: dict = {}  # future: request
        self._inputs: dict = {}  # digest: the future of a large input file's bytes
        self._answering = True  # False once the scheduler let a question go unanswered

    def connect(self) -> None:
        """Connect, or ClusterUnreachable within answer_timeout() seconds."""
        try:
            from distributed import Client
        except ImportError:
            raise ClusterUnreachable(
                f"running on a Dask cluster needs Dask's client: {INSTALL}"
            ) from None

        def connected() -> Client:
            return Client(self.address, timeout=answer_timeout(), set_as_default=False, name="clm")

        try:
            self.client = _answered(connected, self.address, "to connect", late=_close_quietly)
        except (OSError, TimeoutError) as error:
            raise ClusterUnreachable(
                f"the Dask scheduler at {self.address} did not answer within "
                f"{answer_timeout():g} s ({error})"
            ) from None
        # Tasks wait for workers that may never come: a build would hang, silently.
        client = self.client
        try:
            _answered(
                lambda: client.wait_for_workers(1, timeout=worker_wait()),
                self.address,
                "while waiting for workers",
                worker_wait() + answer_timeout(),
            )
        except ClusterUnreachable:
            self._answering = False
            self.close()
            raise
        except TimeoutError:
            self.close()
            raise ClusterUnreachable(
                f"the Dask scheduler at {self.address} has no workers (none came within "
                f"{worker_wait():g} s, see ${WORKER_WAIT_VARIABLE}): start some with "
                f"`dask worker {self.address}`"
            ) from None

    def worker_rows(self) -> list[ClusterWorker]:
        """The scheduler's workers: address, threads, tasks it has them processing."""
        client = self.client
        assert client is not None
        info = self._asked(lambda: client.scheduler_info(n_workers=-1), "asked for its workers")
        processing = self._asked(client.processing, "asked what its workers run")
        workers = info.get("workers", {})
        return [
            ClusterWorker(address, int(info.get("nthreads", 0)), len(processing.get(address, ())))
            for address, info in sorted(workers.items())
        ]

    def submit(self, requests: Sequence[ExecutionRequest]) -> None:
        """Send every job now: the cluster, not this machine, decides how many run at once.

        An input file of BIG_INPUT bytes or more travels once, however many
        executions read it: as a task of its own, named by its digest, whose
        result Dask hands to every task that needs it (from worker to worker,
        and computed again from the bytes the scheduler keeps if its worker is
        lost, which data scattered to a worker would not be).
        """
        import dask

        assert self.client is not None
        with dask.config.set({"distributed.admin.large-graph-warning-threshold": "2GB"}):
            for request in requests:
                small = tuple(
                    (rel, data) for rel, data in request.job.inputs if len(data) < BIG_INPUT
                )
                shared = {
                    rel: self._input_file(data)
                    for rel, data in request.job.inputs
                    if len(data) >= BIG_INPUT
                }
                sent = dataclasses.replace(
                    request, job=dataclasses.replace(request.job, inputs=small)
                )
                future = self.client.submit(
                    execute_on_worker,
                    sent,
                    shared,
                    key=f"{TASK_PREFIX}{request.key}",
                    pure=False,  # named by its key: no need to hash megabytes of input
                    retries=0,  # a failing cell is a result; a lost worker is Dask's to redo
                )
                self._futures[future] = request

    def _input_file(self, data: bytes):
        """The future of one large input file's bytes on the cluster, one per content."""
        digest = hashlib.sha256(data).hexdigest()
        future = self._inputs.get(digest)
        if future is None:
            assert self.client is not None
            future = self._inputs[digest] = self.client.submit(
                input_file, data, key=f"{INPUT_PREFIX}{digest}", pure=False, retries=0
            )
        return future

    def _asked(self, question: Callable[[], T], what: str) -> T:
        """The scheduler's answer to ``question``; ClusterUnreachable when it does not come
        within answer_timeout() seconds, or the client lost its scheduler (Dask then answers
        from what it knew)."""
        assert self.client is not None
        if self.client.status != "running":
            raise self._went_away()
        try:
            return _answered(question, self.address, what)
        except ClusterUnreachable:
            self._answering = False
            raise
        except OSError as error:  # distributed's CommClosedError: the scheduler died mid-answer
            raise self._went_away() from error

    def _went_away(self) -> ClusterUnreachable:
        return ClusterUnreachable(
            f"the Dask cluster at {self.address} went away (the connection to its "
            "scheduler was lost)"
        )

    def in_flight(self) -> int:
        return sum(1 for future in self._futures if not future.done())

    def finished(self, clock: Callable[[], float] = time.monotonic) -> Iterator[Finished | None]:
        """Each submitted job as it ends, and None every few seconds while none does.

        ClusterUnreachable when the cluster has had no worker for
        ``worker_wait()`` seconds (its tasks would wait for ever), when the
        scheduler went away (Dask cancels every task then), or when it does
        not answer within answer_timeout() seconds; the jobs not yielded yet are
        still in ``unfinished()``.
        """
        from distributed import as_completed

        client = self.client
        assert client is not None
        pending = as_completed(list(self._futures), loop=client.loop)
        checked = clock()
        alone_since = None
        while not pending.is_empty():
            batch = pending.next_batch(block=False) if pending.has_ready() else []
            for future in batch:
                if future.status == "cancelled":
                    raise self._went_away()
                if future.status == "error":
                    finished = Finished(self._futures[future], None, future.exception())
                else:
                    result = self._result(future)
                    finished = Finished(self._futures[future], result)
                del self._futures[future]
                future.release()
                yield finished
            if batch:
                continue
            time.sleep(POLL_SECONDS)
            if clock() - checked < CHECK_SECONDS:
                continue
            checked = clock()
            info = self._asked(lambda: client.scheduler_info(n_workers=-1), "asked for its workers")
            if info.get("workers"):
                alone_since = None
            elif alone_since is None:
                alone_since = checked
            elif checked - alone_since >= worker_wait():
                raise ClusterUnreachable(
                    f"the Dask scheduler at {self.address} has had no workers for "
                    f"{worker_wait():g} s, and {len(self._futures)} "
                    f"execution{' waits' if len(self._futures) == 1 else 's wait'} for one"
                )
            yield None

    def _result(self, future) -> ExecutionResult:
        """A finished task's result, fetched from its worker within answer_timeout() seconds."""
        from distributed.client import FutureCancelledError

        try:
            return future.result(timeout=answer_timeout())
        except FutureCancelledError:
            raise self._went_away() from None
        except TimeoutError:
            self._answering = False
            raise ClusterUnreachable(
                f"the Dask cluster at {self.address} did not hand over a result within "
                f"{answer_timeout():g} s"
            ) from None

    def unfinished(self) -> list[ExecutionRequest]:
        """The jobs sent and not yielded by ``finished`` yet."""
        return list(self._futures.values())

    def lost(self, finished: Finished) -> ExecutionFailure:
        """Why a task ended without a result: it killed its workers, or the cluster failed it."""
        try:
            cell = self.cell_running(finished.request.key)
        except ClusterUnreachable:  # the cluster went away meanwhile: the deck's failure stands
            cell = None
        error = finished.error
        name = type(error).__name__
        if name == "KilledWorker":
            return ExecutionFailure(
                cell,
                "every Dask worker that ran it died (KilledWorker): the code ends the process "
                "running it, e.g. by using up its memory or by calling os._exit",
                None,
            )
        return ExecutionFailure(cell, f"the Dask cluster could not run it: {name}: {error}", None)

    def cell_running(self, key: str) -> int | None:
        """The cell a worker last started for the execution ``key`` (from its events)."""
        client = self.client
        assert client is not None
        cell = None
        for _, event in self._asked(lambda: client.get_events(CELL_TOPIC), "asked for events"):
            if isinstance(event, dict) and event.get("key") == key:
                cell = event.get("cell")
        return cell if isinstance(cell, int) else None

    def close(self) -> None:
        """Disconnect; the scheduler forgets the tasks no other client wants.

        The workers first shut down the spare kernels they booted for this
        build's next notebook, which will not come: no kernel outlives a build.
        """
        client = self.client
        if client is None:
            return
        self.client = None
        for future in [*self._futures, *self._inputs.values()]:
            future.release()
        self._futures.clear()
        self._inputs.clear()
        # A worker gone meanwhile has no spares left; a scheduler gone or silent, no
        # workers to ask: either way the client is let go of within a deadline.
        if client.status == "running" and self._answering:
            with contextlib.suppress(Exception):
                _answered(
                    lambda: client.run(release_spares, wait=True, on_error="ignore"),
                    self.address,
                    "while releasing the workers' spare kernels",
                )
        if client.status != "running":
            # Closing cancels the client's attempts to reconnect, which it logs as an
            # error with a traceback; the build has said in its words what happened.
            logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
        with contextlib.suppress(Exception):
            _answered(lambda: _close_quietly(client), self.address, "while disconnecting")


def _close_quietly(client) -> None:
    """Close a Dask client, however its scheduler fares."""
    with contextlib.suppress(Exception):
        client.close(timeout=answer_timeout())


def release_spares() -> int:
    """On a worker: shut down the spare kernels of its threads (run by ``Client.run``);
    how many there were."""
    return sum(pool.close() for pool in list(_every_pool.get(os.getpid(), ())))
