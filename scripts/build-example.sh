#!/usr/bin/env bash
# Set up everything and build the example course (examples/python-basics).
# Extra arguments go to doit, e.g. `scripts/build-example.sh list`.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo/scripts/setup.sh"
cd "$repo"
exec doit "$@"
