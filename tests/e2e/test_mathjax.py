"""Formulas in the built pages, read with the network off: MathJax is copied into the output.

The course's deck is never executed (evaluate: false), so no kernel starts.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from clm.plan.layout import MATHJAX_FILE
from tests.conftest import write_files
from tests.e2e.helpers import executed_tasks, run_clm
from tests.offline_browser import chromium, look_offline

SPEC = """\
name: {de: Formeln, en: Formulas}
sections:
  - name: {de: Woche 1, en: Week 1}
    topics:
      - {id: formulas, evaluate: false}
"""
DECK = r"""# j2 from 'macros.j2' import header
# {{ header("Formeln", "Formulas") }}

# %% [markdown] lang="de" tags=["slide"]
# ## Pythagoras
#
# Für $a^2 + b^2 = c^2$ gilt:
#
# $$\int_0^1 x\,dx = \frac{1}{2}$$

# %% [markdown] lang="en" tags=["slide"]
# ## Pythagoras
#
# For $a^2 + b^2 = c^2$ we have:
#
# $$\int_0^1 x\,dx = \frac{1}{2}$$

# %%
print(6 * 7)
"""
FILES = {"course.yaml": SPEC, "slides/module_100/topic_100_formulas/slides_formulas.py": DECK}
EN_PAGE = "output/shared/Formulas-en/Slides/Html/Completed/Week 1/01 Formulas.html"
DE_PAGE = "output/speaker/Formeln-de/Folien/Html/Recording/Woche 1/01 Formeln.html"
# One copy in each course folder with pages: three tiers, two languages.
COPIES = [
    f"output/{tier}/{course}/{slides}/Html/{MATHJAX_FILE}"
    for tier in ("shared", "trainer", "speaker")
    for course, slides in (("Formeln-de", "Folien"), ("Formulas-en", "Slides"))
]


def _build(root: Path, downloads: Path, *args: str, **env: str):
    return run_clm(
        root, "build", "course.yaml", *args, env={"CLM_DOWNLOADS": str(downloads), **env}
    )


def _refused_registry() -> str:
    """The URL of a port on 127.0.0.1 nothing listens on: every download is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def built(tmp_path_factory, mathjax_downloads) -> Path:
    root = tmp_path_factory.mktemp("mathjax") / "course"
    write_files(root, FILES)
    result = _build(root, mathjax_downloads)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return root


def test_built_pages_typeset_their_formulas_with_the_network_off(built):
    assert all((built / copy).is_file() for copy in COPIES)
    with chromium() as browser:
        for page in (EN_PAGE, DE_PAGE):
            seen = look_offline(browser, built / page)
            assert seen.requests == (), page
            assert seen.loaded and (seen.inline, seen.display) == (1, 1), page
            assert "$" not in seen.markdown, page


def test_offline_without_mathjax_the_build_says_what_to_do_and_mends_itself_later(
    built, tmp_path, mathjax_downloads
):
    root = tmp_path / "course"
    write_files(root, FILES)
    empty = tmp_path / "no-downloads"

    offline = _build(root, empty, CLM_NPM_REGISTRY=_refused_registry())

    assert offline.returncode == 1
    said = offline.stdout + offline.stderr
    assert "FAILED copy-mathjax" in said
    assert f"{COPIES[0]}: not written: MathJax (mathjax@3.2.2) is not in clm's download" in said
    assert "Connection refused" in said
    assert "Run `clm setup` once while online" in said
    assert "`mathjax: cdn` in the spec" in said
    assert (root / EN_PAGE).read_bytes() == (built / EN_PAGE).read_bytes()  # pages all there
    assert not [copy for copy in COPIES if (root / copy).exists()]
    assert not list(root.rglob("*.clm-tmp"))

    online = _build(root, mathjax_downloads)

    assert online.returncode == 0, online.stdout + online.stderr
    assert executed_tasks(online) == ["copy-mathjax"]
    assert all((root / copy).is_file() for copy in COPIES)
    cleaned = run_clm(root, "clean", "course.yaml")
    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
    assert not (root / "output").exists() or not list((root / "output").rglob("*.*"))


def test_with_mathjax_from_a_cdn_the_copies_go_and_the_pages_name_the_cdn(built, tmp_path):
    root = Path(shutil.copytree(built, tmp_path / "course"))
    (root / "course.yaml").write_text(SPEC + "mathjax: cdn\n")
    # No download folder at all: a CDN build needs none.
    result = _build(root, tmp_path / "no-downloads")

    assert result.returncode == 0, result.stdout + result.stderr
    assert not [copy for copy in COPIES if (root / copy).exists()]
    page = (root / EN_PAGE).read_text()
    assert "https://cdn.jsdelivr.net/npm/mathjax@3.2.2/es5/tex-svg-full.js" in page
    assert MATHJAX_FILE not in page
