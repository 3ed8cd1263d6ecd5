"""A real Dask LocalCluster for the tests, in a process of its own.

``python -m tests.e2e.dask_cluster N`` starts a scheduler and N worker
processes (one thread each, each under a nanny that restarts it) on
127.0.0.1 with no dashboard, prints the scheduler's address as one line of
JSON, and runs until its stdin closes. Its own process keeps the workers'
environment out of the test process: they see what a build sees.
"""

from __future__ import annotations

import json
import sys


def main() -> None:
    from distributed import LocalCluster

    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    with LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address=None,
    ) as cluster:
        print(json.dumps({"address": cluster.scheduler_address}), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
