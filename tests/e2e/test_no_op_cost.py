"""A build that publishes nothing does none of the work of publishing."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import write_files
from tests.e2e.helpers import _env

SPEC = "name: {de: Kurs, en: Course}\nsections:\n  - name: {de: Eins, en: One}\n    topics: [a]\n"
DECK = """\
# j2 from 'macros.j2' import header
# {{ header("Titel", "Title") }}

# %% [markdown] lang="de" tags=["slide"]
# ## Hallo

# %% [markdown] lang="en" tags=["slide"]
# ## Hello
"""
# `clm build`, with the function that works out the plan's keys for a manifest
# replaced by one that leaves a mark.
BUILD = """\
import pathlib, sys
import clm.tasks.shared_cache

def marked(tasks):
    pathlib.Path("keys-worked-out").touch()
    return {}

clm.tasks.shared_cache.plan_keys = marked
from clm.cli.main import main
sys.exit(main(["build", "-j", "1"]))
"""


def test_a_build_without_a_shared_cache_never_works_out_its_plans_keys(tmp_path):
    # The keys are every deck's execution and render keys: reading each deck again
    # cost a no-op build of 1,000 decks 20 s.
    write_files(tmp_path, {"course.yaml": SPEC, "slides/module_100_a/topic_100_a.py": DECK})
    for run in ("cold", "no-op"):
        done = subprocess.run(
            [sys.executable, "-c", BUILD],
            cwd=tmp_path,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, (run, done.stdout, done.stderr)
        assert not (tmp_path / "keys-worked-out").exists(), run
