#!/usr/bin/env bash
# Set up everything and run the whole test suite (lint, then pytest with coverage),
# then the end-to-end tests of how processes start and end once more with workers
# spawned (the start method of macOS and, from Python 3.14, of Linux).
# Extra arguments go to pytest instead, e.g. `scripts/test.sh -k spec`.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/setup.sh"
cd "$repo"
ruff check clm tests benchmarks
ruff format --check clm tests benchmarks
if [ "$#" -gt 0 ]; then
    exec python -m pytest "$@"
fi
# The slowest tests are listed: the suite is to stay under 20 minutes.
python -m pytest --cov=clm --cov-report=term-missing:skip-covered --durations=25
echo "tests: again with CLM_START_METHOD=spawn: lifetime, stop signals, Ctrl-C, watch, Dask, shared cache"
CLM_START_METHOD=spawn exec python -m pytest -q -p no:cacheprovider \
    tests/e2e/test_process_lifetime.py \
    tests/e2e/test_processes_end_with_the_build.py tests/e2e/test_stop_signals.py \
    tests/e2e/test_ctrl_c.py tests/e2e/test_watch.py tests/e2e/test_dask.py \
    tests/e2e/test_shared_cache.py
