"""Shared helpers: small real courses written into a temporary folder."""

from __future__ import annotations

import signal
import textwrap
from pathlib import Path

import pytest

# A suite started in the background of a non-interactive shell (`.ci/run &`)
# inherits SIGINT ignored, and so would every build and watcher it starts: the
# Ctrl-C tests would see builds that cannot be interrupted. A terminal's Ctrl-C
# is what they stand for, so the suite takes SIGINT back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

DECK = """\
# j2 from 'macros.j2' import header
# {{{{ header("{de}", "{en}") }}}}

# %% [markdown] lang="de" tags=["slide"]
# ## Hallo

# %% [markdown] lang="en" tags=["slide"]
# ## Hello

# %%
{code}
"""


def deck_text(de: str = "Titel", en: str = "Title", code: str = "print(6 * 7)") -> str:
    return DECK.format(de=de, en=en, code=code)


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content) if content.startswith("\n") else content)


@pytest.fixture
def make_course(tmp_path):
    """Write a course (spec text plus files) and return its spec path."""

    def make(spec: str, files: dict[str, str | bytes], name: str = "course.yaml") -> Path:
        root = tmp_path / "course"
        write_files(root, files)
        (root / "slides").mkdir(parents=True, exist_ok=True)
        spec_path = root / name
        spec_path.parent.mkdir(parents=True, exist_ok=True)
        spec_path.write_text(textwrap.dedent(spec).lstrip())
        return spec_path

    return make


@pytest.fixture(scope="session")
def kernels():
    """A worker's kernel pool, as its context gives it to the executor (one for the
    session's tests: each notebook still gets a fresh kernel, the next one warm)."""
    from clm.execute.kernels import KernelPool

    pool = KernelPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def mathjax_downloads() -> Path:
    """A downloads folder ($CLM_DOWNLOADS) holding the real MathJax clm pins: the user's
    cache (or the one $CLM_DOWNLOADS names), fetched from the npm registry the first time."""
    from clm.downloads import npm
    from clm.downloads.pinned import MATHJAX

    npm.fetch(MATHJAX)
    return npm.cache_root()
