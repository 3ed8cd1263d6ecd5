"""What a Python interpreter says about its environment: its version, its packages, and
the folders whose modification times change when a package is installed or removed.

clm imports this module, and hands its source to a course's own interpreter as
``python -c`` (which need not have clm installed), so it uses the standard
library only and imports nothing from clm. Printed as JSON when run.
"""

from __future__ import annotations

import json
import os
import platform
import site
import sys


def folder_stamps(folders: list[str]) -> list[list]:
    """[folder, modification time in ns, or None while it does not exist] for each folder.

    A folder that is missing is stamped too: the user's site-packages, say,
    appears with the first ``pip install --user`` and must change the stamp.
    """
    stamps: list[list] = []
    for folder in folders:
        try:
            stamps.append([folder, os.stat(folder).st_mtime_ns])
        except OSError:
            stamps.append([folder, None])
    return stamps


def distributions() -> list[str]:
    """Every installed distribution as ``name==version``, sorted (about 70 ms).

    A name found in two folders counts once, as the first one found, which is
    the one imports get: a checkout's ``clm.egg-info`` beside the installed
    clm is on the path in one process and not in the next (the working
    directory is not part of the environment), and must not make two
    fingerprints of one environment.
    """
    from importlib import metadata

    found: dict[str, str] = {}
    for dist in metadata.distributions(path=environment_folders()):
        found.setdefault(dist.metadata["Name"].lower(), dist.version)
    return sorted(f"{name}=={version}" for name, version in found.items())


def environment_folders() -> list[str]:
    """The folders packages are imported from, as the kernel will see them.

    Without the working directory (``''`` for ``python -c``, its path for
    ``python -m`` and pytest): for a kernel it is its scratch folder, for clm
    the course or a checkout, and neither is part of the environment.
    """
    here = os.getcwd()
    folders = [entry for entry in sys.path if entry and os.path.abspath(entry) != here]
    if site.ENABLE_USER_SITE:
        user_site = site.getusersitepackages()
        if user_site not in folders:
            folders.append(user_site)
    return folders


def description() -> dict:
    """This interpreter and its environment, as plain data."""
    # Stamped before the packages are listed: an install meanwhile changes the next stamp.
    stamps = folder_stamps(environment_folders())
    return {
        "implementation": platform.python_implementation(),
        "version": sys.version,
        "stamps": stamps,
        "packages": distributions(),
    }


if __name__ == "__main__":
    print(json.dumps(description()))
