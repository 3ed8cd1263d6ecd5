#!/usr/bin/env bash
# Set up everything and run the whole test suite (lint, then pytest with coverage).
# Extra arguments go to pytest, e.g. `scripts/test.sh -k spec`.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/setup.sh"
cd "$repo"
ruff check clm tests benchmarks
ruff format --check clm tests benchmarks
exec python -m pytest --cov=clm --cov-report=term-missing:skip-covered "$@"
