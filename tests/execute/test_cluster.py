"""How an executor is named, and how two environments are told apart."""

from __future__ import annotations

import pytest

from clm.errors import CourseError
from clm.execute.choice import ExecutorChoice, parse_executor
from clm.execute.cluster import differences


@pytest.mark.parametrize(
    ("text", "choice"),
    [
        (None, ExecutorChoice()),
        ("local", ExecutorChoice()),
        ("dask://10.0.0.5:8786", ExecutorChoice("tcp://10.0.0.5:8786")),
        ("dask+tls://sched.lan:8786", ExecutorChoice("tls://sched.lan:8786")),
        ("tcp://127.0.0.1:8786, fallback=local", ExecutorChoice("tcp://127.0.0.1:8786", True)),
    ],
)
def test_executors_by_name(text, choice):
    assert parse_executor(text) == choice


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("dask:/host", "names no executor"),
        ("dask://host", "names no executor"),
        ("dask://host:port", "names no executor"),
        ("ray://host:1", "names no executor"),
        ("dask://host:1,fallback=remote", "unknown option 'fallback=remote'"),
    ],
)
def test_a_bad_executor_says_what_would_do(text, says):
    with pytest.raises(CourseError, match=says) as raised:
        parse_executor(text, "CLM_EXECUTOR")
    assert str(raised.value).startswith("CLM_EXECUTOR: ")


def test_differences_name_each_package_that_differs():
    ours = ["python==CPython 3.12.3", "numpy==2.1.0", "pandas==2.2.0", "only-here==1"]
    theirs = ["python==CPython 3.12.3", "numpy==1.26.4", "pandas==2.2.0", "only-there==2"]
    assert differences(ours, theirs) == [
        "numpy: 2.1.0 here, 1.26.4 on the worker",
        "only-here: 1 here, not installed on the worker",
        "only-there: not installed here, 2 on the worker",
    ]


def test_differences_are_cut_short():
    ours = [f"p{n:02d}==1" for n in range(30)]
    lines = differences(ours, [], limit=5)
    assert len(lines) == 6 and lines[-1] == "and 25 more"


def test_a_worker_sees_a_package_installed_while_it_runs(tmp_path, monkeypatch):
    from clm.execute.cluster import worker_environment

    monkeypatch.syspath_prepend(str(tmp_path))
    before, _ = worker_environment("python3", None)
    assert worker_environment("python3", None)[0] == before  # nothing changed: the same
    info = tmp_path / "late_package-2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: late-package\nVersion: 2.0\n")
    after, facts = worker_environment("python3", None)
    assert after != before and "late-package==2.0" in facts


def test_a_question_never_answered_ends_at_its_deadline_and_a_late_answer_is_let_go():
    import threading
    import time

    from clm.execute.cluster import ClusterUnreachable, _answered

    answer = threading.Event()
    let_go: list[str] = []
    with pytest.raises(ClusterUnreachable) as raised:
        _answered(
            lambda: "client" if answer.wait() else "",
            "tcp://127.0.0.1:1",
            "to connect",
            seconds=0.2,
            late=let_go.append,
        )
    assert str(raised.value) == (
        "the Dask scheduler at tcp://127.0.0.1:1 did not answer within 0.2 s (to connect)"
    )
    answer.set()
    deadline = time.monotonic() + 60  # only a hang
    while not let_go and time.monotonic() < deadline:
        time.sleep(0.01)
    assert let_go == ["client"]


def test_an_answer_in_time_is_the_call_s_result_or_its_error():
    from clm.execute.cluster import _answered

    assert _answered(lambda: 42, "tcp://127.0.0.1:1", "to a question") == 42
    with pytest.raises(ZeroDivisionError):
        _answered(lambda: 1 / 0, "tcp://127.0.0.1:1", "to a question")


@pytest.mark.parametrize(
    ("value", "seconds"), [(None, 10.0), ("2.5", 2.5), ("0", 10.0), ("-1", 10.0), ("soon", 10.0)]
)
def test_the_scheduler_gets_the_answer_time_the_variable_gives_or_ten_seconds(
    monkeypatch, value, seconds
):
    from clm.execute.cluster import ANSWER_TIMEOUT_VARIABLE, answer_timeout

    if value is None:
        monkeypatch.delenv(ANSWER_TIMEOUT_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(ANSWER_TIMEOUT_VARIABLE, value)
    assert answer_timeout() == seconds


def test_a_scheduler_that_dies_mid_answer_is_a_cluster_gone_away_not_a_traceback():
    from distributed.comm.core import CommClosedError

    from clm.execute.cluster import ClusterUnreachable, DaskExecutor

    class RunningClient:  # what a Client reports until its comm breaks
        status = "running"

        def processing(self):
            raise CommClosedError("in <TCP (closed) ConnectionPool.processing>: reset by peer")

        def scheduler_info(self, n_workers):
            return {"workers": {}}

    executor = DaskExecutor("tcp://127.0.0.1:8786")
    executor.client = RunningClient()

    with pytest.raises(ClusterUnreachable, match="went away"):
        executor.worker_rows()
