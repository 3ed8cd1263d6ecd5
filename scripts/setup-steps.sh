# The steps of setup.sh that make files, each safe to interrupt at any point: a
# step either finds its result complete or makes it anew, and marks it done only
# once it is complete (a stamp written last, a file renamed from its .part).
# Sourced by setup.sh, and by tests/test_setup_script.py to try a step alone.

# A virtual environment whose python runs and whose pip works; an interrupted
# `python3 -m venv` leaves one without pip, and an interrupted pip upgrade too.
venv_works() {
    [ -x "$1/bin/python" ] && "$1/bin/python" -m pip --version >/dev/null 2>&1
}

ensure_venv() {
    local venv="$1"
    venv_works "$venv" && return 0
    if [ -e "$venv" ]; then
        echo "setup: $venv is incomplete (python or pip does not run; an interrupted setup?):" \
            "creating it anew"
        rm -rf "$venv"
    else
        echo "setup: creating $venv"
    fi
    python3 -m venv "$venv"
    venv_works "$venv" || {
        echo "setup: error: $venv has no working pip after \`python3 -m venv\`" >&2
        return 1
    }
}

# Write $2 into the file $1 whole or not at all.
write_file() {
    printf '%s\n' "$2" >"$1.part"
    mv "$1.part" "$1"
}

# A digest of what the environment of the repository $1 is to hold: the ranges
# (pyproject.toml) and the exact versions (constraints.txt); a change to either
# makes setup install again.
dependencies_digest() {
    cat "$1/pyproject.toml" "$1/constraints.txt" | sha256sum | cut -d' ' -f1
}

# pip install the rest of the arguments into venv $1 unless its stamp named $2
# says $3 was installed; the stamp is written only after pip succeeded. $4 says
# what is installed, for the line that tells it.
pip_install_once() {
    local venv="$1" stamp="$1/.clm-$2" wanted="$3" what="$4"
    shift 4
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
        return 0
    fi
    [ -z "$what" ] || echo "setup: installing $what into $venv"
    rm -f "$stamp"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
    write_file "$stamp" "$wanted"
}

# Make the file $1, when it is missing, with the command that follows: run with
# one more argument, the path it must write (beside $1, ending in .part), and
# renamed to $1 only when the command succeeded.
make_file() {
    local target="$1"
    shift
    [ -f "$target" ] && return 0
    mkdir -p "$(dirname "$target")"
    rm -rf "$target.part"
    if ! "$@" "$target.part"; then
        rm -rf "$target.part"
        return 1
    fi
    mv "$target.part" "$target"
}

# Whether the kernelspec folder $1 holds a kernel.json that runs the program $2.
kernelspec_current() {
    python3 -c 'import json, sys
try:
    with open(sys.argv[1]) as spec:
        sys.exit(json.load(spec)["argv"][0] != sys.argv[2])
except (OSError, ValueError, LookupError, TypeError):
    sys.exit(1)' "$1/kernel.json" "$2" 2>/dev/null
}

# Put the kernelspec folder $2 (made elsewhere) in place as $1, whole: a folder
# left half-moved by an interruption is a .part, replaced on the next run.
place_kernelspec() {
    local spec="$1" made="$2"
    mkdir -p "$(dirname "$spec")"
    rm -rf "$spec.part"
    cp -R "$made" "$spec.part"
    rm -rf "$spec"
    mv "$spec.part" "$spec"
}
