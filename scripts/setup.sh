#!/usr/bin/env bash
# Install everything clm needs on Debian, idempotently: system packages, a
# virtual environment in .venv (or $CLM_VENV) with clm and its dependencies at the
# versions constraints.txt pins.
# Sourced by build-example.sh and test.sh; safe to run any number of times, and
# to interrupt at any point: the next run finishes what was left half done.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CLM_VENV:-$repo/.venv}"
source "$repo/scripts/setup-steps.sh"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "setup: installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

python_ok() {
    command -v python3 >/dev/null 2>&1 \
        && python3 -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

if ! python_ok; then
    apt_install python3 python3-venv python3-pip
fi
command -v git >/dev/null 2>&1 || apt_install git

# The diagram converters: Java and graphviz for PlantUML, Debian's Chromium (never
# a browser download) and the Liberation fonts for draw.io (clm fetches the jar).
# The Java decks' kernel (JJava) runs on that Java too, and needs a JDK's JShell
# and compiler, which a JRE lacks.
apt_install graphviz chromium fonts-liberation
java_has_jshell() {
    local modules
    command -v java >/dev/null 2>&1 || return 1
    modules="$(java --list-modules 2>/dev/null)" || return 1
    grep -q '^jdk\.jshell@' <<<"$modules" && grep -q '^jdk\.compiler@' <<<"$modules"
}
if ! java_has_jshell; then
    apt_install default-jdk-headless
    java_has_jshell || echo "setup: warning: $(command -v java || echo java) has no jdk.jshell" \
        "module: Java decks will not run (choose a JDK with update-alternatives --config java)" >&2
fi

ensure_venv "$venv"

# Reinstall only when the project's dependencies changed: their ranges
# (pyproject.toml) or the exact versions installed (constraints.txt); or when
# the last install did not finish.
constraints="$repo/constraints.txt"
wanted="$(dependencies_digest "$repo")"
pip_install_once "$venv" pip-upgraded "$wanted" "" --upgrade pip
# Editable as a plain path in a .pth file ("compat"): setuptools' default puts an import
# finder there, which every Python start of the venv imports (20–40 ms of a no-op build).
pip_install_once "$venv" installed "$wanted" "clm and its pinned dependencies" \
    -c "$constraints" --config-settings editable_mode=compat \
    -e "$repo[dev,kernels,dask,shared-cache,s3]"

# draw.io's viewer build ships inside a JupyterLab extension; only its static
# files are used, so its JupyterLab dependencies are not wanted. Its version is
# the one constraints.txt names.
pip_install_once "$venv" drawio-viewer "$wanted" "draw.io's viewer" \
    --no-deps -c "$constraints" jupyterlab_drawio_render_extension

# The PlantUML jar, pinned and checked, fetched by clm itself into the user's cache
# (nothing when it is there). Environments made before keep theirs in share/clm.
"$venv/bin/clm" setup | sed 's/^/setup: /'

# CLM's wheel, for its documentation only: the tests check that every XML
# example in it is a spec clm reads (CLM itself is never installed here).
clm_docs_version="1.35.0"
clm_wheel="$venv/share/clm/coding_academy_lecture_manager-$clm_docs_version-py3-none-any.whl"
fetch_clm_wheel() {  # into $1
    local work status=0
    work="$(mktemp -d)"
    "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: --python-version 3.12 \
        "coding-academy-lecture-manager==$clm_docs_version" -d "$work" \
        && cp "$work/$(basename "$clm_wheel")" "$1" || status=$?
    rm -rf "$work"
    return "$status"
}
if [ ! -f "$clm_wheel" ]; then
    echo "setup: fetching CLM $clm_docs_version's documentation (its wheel) from PyPI"
    make_file "$clm_wheel" fetch_clm_wheel
fi

# Deno writes its kernelspec into $HOME/.local/share/jupyter/kernels (or
# $XDG_DATA_HOME's), whatever JUPYTER_DATA_DIR says: install it in a scratch home
# and move it into the environment, as the wheels of the other kernels do. Again
# when its kernel.json names another deno (the environment moved or was remade).
deno_spec="$venv/share/jupyter/kernels/deno"
if ! kernelspec_current "$deno_spec" "$venv/bin/deno"; then
    echo "setup: installing Deno's kernelspec into $deno_spec"
    work="$(mktemp -d)"
    # Its messages name the scratch home: shown only when it fails.
    if ! said="$(env -u XDG_DATA_HOME HOME="$work" "$venv/bin/deno" jupyter --install --force 2>&1)"
    then
        echo "$said" >&2
        rm -rf "$work"
        exit 1
    fi
    place_kernelspec "$deno_spec" "$work/.local/share/jupyter/kernels/deno"
    rm -rf "$work"
fi

# bash_kernel, for the tests of routing a deck to its kernel: made in a scratch
# prefix and moved in whole, as Deno's.
bash_spec="$venv/share/jupyter/kernels/bash"
if ! kernelspec_current "$bash_spec" "$venv/bin/python"; then
    echo "setup: installing bash_kernel's kernelspec into $bash_spec"
    work="$(mktemp -d)"
    "$venv/bin/python" -m bash_kernel.install --prefix "$work" >/dev/null
    place_kernelspec "$bash_spec" "$work/share/jupyter/kernels/bash"
    rm -rf "$work"
fi
export PATH="$venv/bin:$PATH"
