#!/usr/bin/env bash
# Set up everything and run the whole test suite: lint; pytest with coverage; the
# end-to-end tests of how processes start and end once more with workers spawned
# (the start method of macOS and Windows); whether clm installs beside a course's
# own Jupyter; and the tests beside the end-to-end ones against the oldest and the
# newest versions of its dependencies that pyproject.toml allows.
# Extra arguments go to pytest instead, e.g. `scripts/test.sh -k spec`.
# Test files run two at a time (pytest-xdist; CLM_TEST_WORKERS=N for another number):
# most of an end-to-end test is waiting for kernels and processes.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/setup.sh"
cd "$repo"
ruff check clm tests benchmarks
ruff format --check clm tests benchmarks
if [ "$#" -gt 0 ]; then
    exec python -m pytest "$@"
fi
workers="${CLM_TEST_WORKERS:-2}"
# The slowest tests are listed: the suite is to stay under 20 minutes.
python -m pytest -n "$workers" --dist loadfile \
    --cov=clm --cov-report=term-missing:skip-covered --durations=25
echo "tests: again with CLM_START_METHOD=spawn: lifetime, stop signals, Ctrl-C, watch, Dask, shared cache"
CLM_START_METHOD=spawn python -m pytest -q -p no:cacheprovider -n "$workers" --dist loadfile \
    tests/e2e/test_process_lifetime.py \
    tests/e2e/test_processes_end_with_the_build.py tests/e2e/test_stop_signals.py \
    tests/e2e/test_ctrl_c.py tests/e2e/test_watch.py tests/e2e/test_dask.py \
    tests/e2e/test_shared_cache.py
scripts/check-install.sh
scripts/test-deps.sh oldest
scripts/test-deps.sh newest
