"""Shared helpers: small real courses written into a temporary folder."""

from __future__ import annotations

import os
import signal
import tempfile
import textwrap
from pathlib import Path

import pytest

# A suite started in the background of a non-interactive shell (`.ci/run &`)
# inherits SIGINT ignored, and so would every build and watcher it starts: the
# Ctrl-C tests would see builds that cannot be interrupted. A terminal's Ctrl-C
# is what they stand for, so the suite takes SIGINT back.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_configure(config: pytest.Config) -> None:
    """Under pytest-xdist each worker gets a temporary folder of its own.

    A build keeps its run record in the temporary folder, and the next build ends
    what the killed builds recorded there: with one folder, a test that kills a
    build on purpose could find its leftovers already swept by a build of a test
    running in the other worker. The folder lies beside the worker's basetemp, in
    the run's, so pytest removes it with the run's (a folder removed at the
    worker's end would pull the ground from under multiprocessing's own cleanup).
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    basetemp = config.getoption("basetemp", None)
    if not worker or not basetemp:
        return
    folder = Path(basetemp).parent / f"tmp-{worker}"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = None  # asked again, so this process uses the new folder too


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
def registry(monkeypatch, tmp_path):
    """A real registry on 127.0.0.1, with clm's downloads (from npm and PyPI) going to it
    and into a cache of the test's own."""
    from clm.downloads import npm, pypi
    from tests.downloads.registry import Registry

    served = Registry()
    monkeypatch.setenv(npm.REGISTRY_VARIABLE, served.url)
    monkeypatch.setenv(pypi.FILES_VARIABLE, served.url)
    monkeypatch.setenv(npm.CACHE_VARIABLE, str(tmp_path / "cache"))
    yield served
    served.server.shutdown()


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


def pytest_collection_modifyitems(config, items):
    """Skip each ``linux_only``/``posix_only`` test where its platform need is not met."""
    import os
    import sys

    from tests.platforms import MARKS, skip_reason

    for item in items:
        for name in MARKS:
            for mark in item.iter_markers(name):
                reason = mark.kwargs.get("reason") or (mark.args[0] if mark.args else None)
                try:
                    why = skip_reason(name, reason, sys.platform, os.name)
                except ValueError as error:
                    raise pytest.UsageError(f"{item.nodeid}: {error}") from None
                if why is not None:
                    item.add_marker(pytest.mark.skip(reason=why))


@pytest.fixture(scope="session")
def mathjax_downloads() -> Path:
    """A downloads folder ($CLM_DOWNLOADS) holding the real MathJax clm pins: the user's
    cache (or the one $CLM_DOWNLOADS names), fetched from the npm registry the first time."""
    from clm.downloads import npm
    from clm.downloads.pinned import MATHJAX

    npm.fetch(MATHJAX)
    return npm.cache_root()
