"""``[text](clm:topic)`` cross-references in a real build: each output links to the
target's output of the same target, language, kind and format; a missing target is a
warning (or, asked for, an error of its deck alone); a retitled target rebuilds the
outputs linking to it."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote

from tests.conftest import deck_text, write_files
from tests.e2e.helpers import executed_tasks, run_clm

SPEC = """\
name: {de: Kurs, en: Course}
sections:
  - name: {de: Eins, en: One}
    topics: [first]
  - name: {de: Zwei, en: Two}
    topics: [second]
"""
FIRST = "slides/module_100_a/topic_100_first.py"
SECOND = "slides/module_100_a/topic_110_second.py"
LINKS = """
# %% [markdown]
# See [the second topic](clm:second) and [nothing](clm:nothing).
"""
MISSING_LINE = 14  # the line of the links in FIRST


def _course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    write_files(
        root,
        {
            "course.yaml": SPEC,
            FIRST: deck_text("Erstes", "First") + LINKS,
            SECOND: deck_text("Zweites", "Second", "print(2 + 3)"),
        },
    )
    return root


def _hrefs(root: Path, suffix: str) -> dict[Path, list[str]]:
    """The links to SECOND each output of FIRST with ``suffix`` has, by output path."""
    found = {}
    for path in [
        *root.glob(f"output/**/01 First{suffix}"),
        *root.glob(f"output/**/01 Erstes{suffix}"),
    ]:
        text = path.read_text()
        if suffix == ".ipynb":
            text = "".join(
                "".join(cell["source"])
                for cell in json.loads(text)["cells"]
                if cell["cell_type"] == "markdown"
            )
            found[path] = re.findall(r"\]\(([^)]+)\)", text)
        else:
            found[path] = [h for h in re.findall(r'href="([^"#]+)"', text) if "01%20" in h]
    return found


def _leads_to(path: Path, href: str) -> Path:
    return Path(posixpath.normpath(posixpath.join(path.parent.as_posix(), unquote(href))))


def test_links_lead_to_the_targets_outputs_and_a_retitle_rebuilds_them(tmp_path):
    root = _course(tmp_path)
    built = run_clm(root, "build", "-j", "2")
    assert built.returncode == 0, built.stdout + built.stderr
    said = built.stdout + built.stderr
    assert (
        f"{FIRST}:{MISSING_LINE}: warning: the cross-reference clm:nothing names no topic of "
        "the course, so the link shows as its text only" in said
    )
    pages = _hrefs(root, ".html")
    # Per language: shared code-along and completed, trainer's three kinds, speaker's one.
    assert len(pages) == 2 * 6
    for page, hrefs in pages.items():
        assert len(hrefs) == 1, page
        target = _leads_to(page, hrefs[0])
        assert target.name in ("01 Second.html", "01 Zweites.html"), (page, hrefs)
        assert target.is_file(), (page, hrefs)
        assert target.parent.parent == page.parent.parent  # same target, language, kind
        assert "clm:" not in page.read_text()
    for notebook, hrefs in _hrefs(root, ".ipynb").items():
        assert len(hrefs) == 1, notebook
        assert _leads_to(notebook, hrefs[0]).suffix == ".ipynb"
        assert _leads_to(notebook, hrefs[0]).is_file()
    (code,) = {p.read_text() for p in root.glob("output/**/01 First.py")}
    assert "# See the second topic and nothing." in code

    (root / SECOND).write_text(deck_text("Zweite Schritte", "Second Steps", "print(2 + 3)"))
    page = next(iter(pages)).relative_to(root).as_posix()
    why = run_clm(root, "cache", "explain", page)
    assert "because changed: where its clm: links lead" in why.stdout, why.stdout + why.stderr
    again = run_clm(root, "build", "-j", "2")
    assert again.returncode == 0, again.stdout + again.stderr
    rebuilt = [name for name in executed_tasks(again) if name.startswith(FIRST)]
    # Its HTML and notebooks link to the new name; its code and its execution stay.
    assert rebuilt and all(name.endswith((".html", ".ipynb")) for name in rebuilt), rebuilt
    for page, hrefs in _hrefs(root, ".html").items():
        assert _leads_to(page, hrefs[0]).stem in ("01 Second Steps", "01 Zweite Schritte")
        assert _leads_to(page, hrefs[0]).is_file()


def test_the_option_makes_a_missing_target_an_error_of_its_deck_alone(tmp_path):
    root = _course(tmp_path)
    result = run_clm(root, "build", "-j", "2", "--lang", "en", "--fail-on-missing-xref")
    assert result.returncode == 1, result.stdout + result.stderr
    said = result.stdout + result.stderr
    assert (
        f"{FIRST}:{MISSING_LINE}: the cross-reference clm:nothing names no topic of the "
        "course: fix the topic id, or add the topic to the spec" in said
    )
    assert "Traceback" not in said
    assert list(root.glob("output/**/01 Second.html"))  # the other deck built
    assert not list(root.glob("output/**/01 First.*"))  # the failing deck built nothing


def test_validate_reports_a_missing_target_and_the_variable_makes_it_an_error(tmp_path):
    root = _course(tmp_path)
    result = run_clm(root, "validate")
    assert result.returncode == 0, result.stderr
    assert f"{FIRST}:{MISSING_LINE}: warning: the cross-reference clm:nothing" in result.stderr
    assert result.stdout.strip() == "course.yaml: 2 decks, 0 errors, 1 warning"
    strict = run_clm(root, "validate", "--json", env={"CLM_FAIL_ON_MISSING_XREF": "1"})
    assert strict.returncode == 1, strict.stderr
    (error,) = json.loads(strict.stdout)["errors"]
    assert (error["file"], error["line"]) == (FIRST, MISSING_LINE)
    assert error["message"].startswith("the cross-reference clm:nothing names no topic")
    wrong = run_clm(root, "validate", env={"CLM_FAIL_ON_MISSING_XREF": "maybe"})
    assert wrong.returncode == 1 and "CLM_FAIL_ON_MISSING_XREF='maybe' says neither" in wrong.stderr
    assert not (root / ".clm").exists() and not (root / "output").exists()
