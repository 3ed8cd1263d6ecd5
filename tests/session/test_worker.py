"""A worker's context: rebuilt per process from the job's SessionSpec, with the process's
kernel pool and diagram converters, which end with the process under every start method."""

from __future__ import annotations

import multiprocessing

import psutil
import pytest

from clm.session.spec import SessionSpec
from clm.session.worker import job_context, prestart


def _own_context(spec: SessionSpec, inherited, answers) -> None:
    context = job_context(spec)
    answers.put((context.kernels is inherited.kernels, context.converters is inherited.converters))


@pytest.mark.posix_only("forks (os.fork or the fork start method)")
def test_a_forked_worker_makes_its_own_kernels_and_converters(tmp_path):
    spec = SessionSpec(str(tmp_path))
    parent = job_context(spec)
    assert job_context(spec) is parent  # one per process and build
    fork = multiprocessing.get_context("fork")
    answers = fork.Queue()
    child = fork.Process(target=_own_context, args=(spec, parent, answers))
    child.start()
    assert answers.get(timeout=300) == (False, False)
    child.join(timeout=300)
    assert child.exitcode == 0


def _boot_spare(spec: SessionSpec, answers) -> None:
    prestart(spec, None, "python3")
    answers.put([process.pid for process in psutil.Process().children(recursive=True)])


@pytest.mark.parametrize("method", multiprocessing.get_all_start_methods())
def test_the_spare_kernel_of_a_worker_ends_with_it(tmp_path, method):
    context = multiprocessing.get_context(method)
    answers = context.Queue()
    worker = context.Process(target=_boot_spare, args=(SessionSpec(str(tmp_path)), answers))
    worker.start()
    kernels = [psutil.Process(pid) for pid in answers.get(timeout=300)]
    assert kernels, "the spare kernel runs below the worker"
    worker.join(timeout=300)
    assert worker.exitcode == 0
    _, alive = psutil.wait_procs(kernels, timeout=300)  # only a hang fails here
    assert alive == []
