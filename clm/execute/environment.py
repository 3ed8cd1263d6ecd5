"""A fingerprint of the Python environment the kernels run in.

Part of every execution's cache key: a new package version may change what the
code prints. Listing the installed distributions costs about 70 ms, so the
fingerprint is kept in the state (clm.state.verdicts), together with the
modification times of the folders on ``sys.path``, which change whenever a
package is installed, upgraded or removed. Paths are not part of the fingerprint itself: the same
packages in a virtual environment elsewhere give the same fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys


def path_stamp() -> str:
    """What changes whenever a package is installed, upgraded or removed (cheap to compute)."""
    stamps = []
    for entry in sys.path:
        try:
            stamps.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            continue
    return json.dumps([sys.version, *stamps])


def fingerprint() -> str:
    """The interpreter and every installed distribution, hashed (about 70 ms)."""
    from importlib import metadata

    packages = sorted(
        f"{dist.metadata['Name'].lower()}=={dist.version}" for dist in metadata.distributions()
    )
    text = "\n".join([platform.python_implementation(), sys.version, *packages])
    return hashlib.sha256(text.encode()).hexdigest()[:32]
