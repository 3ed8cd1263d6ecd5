#!/usr/bin/env bash
# The tests beside the end-to-end ones (tests/ but tests/e2e: units and components,
# some with a real Python kernel; a few minutes) against the oldest versions
# pyproject.toml allows (`oldest`: uv's lowest-direct resolution) or the newest
# (`newest`), each in a virtual environment of its own under .venv-deps/
# ($CLM_DEPS_VENVS elsewhere). The lower bounds in pyproject.toml are what the
# oldest leg installs: this is where they are tested.
#
#   scripts/test-deps.sh oldest|newest [pytest arguments]
#
# Runs setup.sh first (Java, graphviz, Chromium, the PlantUML jar and kernelspecs it
# puts in .venv/, which the legs use as they are). Idempotent: a leg's environment is
# made again only when pyproject.toml or constraints.txt changed, or its last install
# did not finish.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/setup.sh"  # sets repo and venv
main_venv="$venv"

leg="${1:-}"
case "$leg" in
    oldest) resolution=lowest-direct ;;
    newest) resolution=highest ;;
    *)
        echo "usage: scripts/test-deps.sh oldest|newest [pytest arguments]" >&2
        exit 2
        ;;
esac
shift
leg_venv="${CLM_DEPS_VENVS:-$repo/.venv-deps}/$leg"
# Every extra but the kernels (their tests are end-to-end, and need setup.sh's
# kernelspecs): the unit tests of the shared cache, S3 and Dask import them.
extras="dev,dask,shared-cache,s3"

# Each lower bound of clm's dependencies and of the extras named in $2 (comma-separated)
# in pyproject.toml $1, as a constraint: name==version. uv's lowest-direct alone
# takes some direct dependencies higher than their bound (PyYAML 6.0.3 for >=6.0.1).
lower_bounds() {
    python3 - "$1" "$2" <<'PYTHON'
import re
import sys
import tomllib

with open(sys.argv[1], "rb") as pyproject:
    project = tomllib.load(pyproject)["project"]
requirements = list(project["dependencies"])
for extra in sys.argv[2].split(","):
    requirements += project["optional-dependencies"][extra]
for requirement in requirements:
    name = re.match(r"[A-Za-z0-9_.-]+", requirement).group()
    bound = re.search(r">=\s*([^,;\s]+)", requirement)
    if bound:
        print(f"{name}=={bound.group(1)}")
PYTHON
}

# The newest leg takes what is newest on the day its environment was made: a new
# release reaches it when pyproject.toml or constraints.txt next changes, or
# after `rm -r .venv-deps`. An environment is made whole each time, so that no
# version of an earlier install stays behind.
wanted="$(dependencies_digest "$repo")"
stamp="$leg_venv/.clm-$leg"
if ! { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; }; then
    rm -rf "$leg_venv"
    ensure_venv "$leg_venv"
    # uv resolves to the lowest versions (pip cannot); constraints.txt pins its version.
    pip_install_once "$leg_venv" uv "$wanted" "uv" -c "$repo/constraints.txt" uv
    echo "test-deps: installing clm[$extras] at the $leg allowed versions into $leg_venv"
    bounds="$leg_venv/lower-bounds.txt"
    lower_bounds "$repo/pyproject.toml" "$extras" >"$bounds"
    if [ "$leg" = oldest ]; then pinned=(-c "$bounds"); else pinned=(); fi
    "$leg_venv/bin/uv" pip install --quiet --python "$leg_venv/bin/python" \
        --resolution "$resolution" "${pinned[@]}" -e "$repo[$extras]"
    # draw.io's viewer, as setup.sh installs it (its version is clm's, not a range).
    "$leg_venv/bin/uv" pip install --quiet --python "$leg_venv/bin/python" \
        --no-deps -c "$repo/constraints.txt" jupyterlab_drawio_render_extension
    write_file "$stamp" "$wanted"
fi

echo "test-deps: clm's direct dependencies at their $leg allowed versions:"
"$leg_venv/bin/python" - "$repo/pyproject.toml" <<'PYTHON'
import re
import sys
import tomllib
from importlib.metadata import version

with open(sys.argv[1], "rb") as pyproject:
    for requirement in tomllib.load(pyproject)["project"]["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement).group()
        print(f"  {name}=={version(name)}  ({requirement})")
PYTHON

# What setup.sh put beside .venv's packages is used as it is: the files in
# share/clm (the PlantUML jar, CLM's documentation wheel), linked in, and the
# kernelspecs of Deno and bash_kernel, through JUPYTER_PATH. The legs test clm's
# Python dependencies, not those.
mkdir -p "$leg_venv/share/clm"
for file in "$main_venv"/share/clm/*; do
    if [ -f "$file" ]; then ln -sf "$file" "$leg_venv/share/clm/"; fi
done
export JUPYTER_PATH="$main_venv/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
# The leg's clm, doit and python come first (setup.sh put .venv/bin on PATH).
export PATH="$leg_venv/bin:$PATH"

cd "$repo"
if [ "$#" -gt 0 ]; then
    exec "$leg_venv/bin/python" -m pytest "$@"
fi
exec "$leg_venv/bin/python" -m pytest -q -p no:cacheprovider -n "${CLM_TEST_WORKERS:-2}" \
    --ignore=tests/e2e
