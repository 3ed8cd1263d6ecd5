#!/usr/bin/env bash
# Does clm install into a course's own Jupyter environment? From a fresh clone of this
# repository (its last commit), `pip install .` into a fresh virtual environment that
# already holds the newest JupyterLab and an older release of each of the six packages
# a course's environment most often has its own version of, held there. Fails when
# pip cannot resolve (ResolutionImpossible), when one of those six changed anyway, or
# when `pip check` finds a conflict; also when the wheel lacks the LICENSE. Run by
# .ci/run; a few minutes.
#
#   scripts/check-install.sh [COMMIT]     (default: the last commit)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# An older release of each, below its newest (the newest of December 2026 in brackets).
older=(
    "jupytext==1.17.3"      # (1.19.7)
    "ipykernel==6.30.1"     # (7.4.0)
    "nbconvert==7.16.6"     # (7.17.2)
    "watchdog==6.0.0"       # (7.1.1)
    "PyYAML==6.0.2"         # (6.0.4)
    "playwright==1.58.0"    # (1.65.3)
)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
pip=("$work/venv/bin/python" -m pip --disable-pip-version-check)

git clone --quiet "$repo" "$work/clm"
if [ "$#" -gt 0 ]; then git -C "$work/clm" checkout --quiet "$1"; fi
python3 -m venv "$work/venv"
"${pip[@]}" install --quiet --upgrade pip
echo "check-install: a course's environment: the newest jupyterlab and ${older[*]}"
"${pip[@]}" install --quiet jupyterlab "${older[@]}"
# Held as the course holds them (a lock, a requirements file with ==): pip must find
# versions of clm's dependencies that fit them, not replace them.
printf '%s\n' "${older[@]}" >"$work/course-pins.txt"
echo "check-install: pip install . (clm from a fresh clone) into it, keeping those"
"${pip[@]}" install --quiet -c "$work/course-pins.txt" "$work/clm"

"${pip[@]}" check
changed=0
for pin in "${older[@]}"; do
    name="${pin%%==*}"
    have="$("$work/venv/bin/python" -c 'import sys; from importlib.metadata import version
print(version(sys.argv[1]))' "$name")"
    if [ "$have" != "${pin##*==}" ]; then
        echo "check-install: error: installing clm changed $name ${pin##*==} to $have" >&2
        changed=1
    fi
done
[ "$changed" -eq 0 ]
"$work/venv/bin/clm" --version
echo "check-install: kept $(printf '%s ' "${older[@]}")and jupyterlab $(
    "$work/venv/bin/python" -c 'from importlib.metadata import version; print(version("jupyterlab"))')"

"${pip[@]}" wheel --quiet --no-deps --wheel-dir "$work/wheel" "$work/clm"
if ! "$work/venv/bin/python" -m zipfile -l "$work"/wheel/clm-*.whl | grep -q 'dist-info/licenses/LICENSE'; then
    echo "check-install: error: the wheel holds no LICENSE" >&2
    exit 1
fi
echo "check-install: the wheel holds the LICENSE; clm installs beside a course's Jupyter"
