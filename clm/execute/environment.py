"""A fingerprint of the Python environment the kernels run in.

Part of every execution's cache key: a new package version may change what the
code prints. Listing the installed distributions costs about 70 ms, so the
fingerprint is remembered in the state, together with the modification times
of the folders on ``sys.path``, which change whenever a package is installed,
upgraded or removed. Paths are not part of the fingerprint itself: the same
packages in a virtual environment elsewhere give the same fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sqlite3
import sys


def _path_stamp() -> str:
    stamps = []
    for entry in sys.path:
        try:
            stamps.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            continue
    return json.dumps([sys.version, *stamps])


def _fingerprint() -> str:
    from importlib import metadata

    packages = sorted(
        f"{dist.metadata['Name'].lower()}=={dist.version}" for dist in metadata.distributions()
    )
    text = "\n".join([platform.python_implementation(), sys.version, *packages])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def environment_fingerprint(connection: sqlite3.Connection) -> str:
    stamp = _path_stamp()
    row = connection.execute("select value from meta where key = 'environment-stamp'").fetchone()
    if row is not None and row[0] == stamp:
        (fingerprint,) = connection.execute(
            "select value from meta where key = 'environment-fingerprint'"
        ).fetchone()
        return fingerprint
    fingerprint = _fingerprint()
    connection.execute("begin immediate")
    connection.executemany(
        "insert or replace into meta values (?, ?)",
        [("environment-stamp", stamp), ("environment-fingerprint", fingerprint)],
    )
    connection.execute("commit")
    return fingerprint
