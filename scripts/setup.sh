#!/usr/bin/env bash
# Install everything clm needs on Debian, idempotently: system packages, a
# virtual environment in .venv with clm and its pinned dependencies.
# Sourced by build-example.sh and test.sh; safe to run any number of times.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv"

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

if [ ! -x "$venv/bin/python" ]; then
    echo "setup: creating $venv"
    python3 -m venv "$venv"
fi

# Reinstall only when the project's dependencies changed.
stamp="$venv/.clm-installed"
wanted="$(sha256sum "$repo/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "setup: installing clm and its pinned dependencies into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$repo[dev]"
    echo "$wanted" > "$stamp"
fi
export PATH="$venv/bin:$PATH"
