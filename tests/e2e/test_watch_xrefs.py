"""A real `doit auto`: a link saved into a deck leads to its target at once, and a
retitled target is followed by the outputs linking to it."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

import pytest

from tests.e2e import test_watch
from tests.e2e.test_watch import VARIABLES

pytestmark = pytest.mark.slow
watcher = test_watch.watcher  # the fixture: a real `doit auto` on a copy of the example

PRINTING = "slides/module_100_basics/topic_120_printing.py"
ENGLISH_HTML = (
    "output/shared/Python Basics-en/Slides/Html/Completed/Week 1 Basics/03 Variables.html"
)
LINK = '\n# %% [markdown] lang="en"\n# See [printing](clm:printing).\n'


def _target(root) -> str:
    """The file the English page's link to the printing topic leads to; it must exist."""
    page = root / ENGLISH_HTML
    (href,) = re.findall(r'href="([^"#:]+\.html)"', page.read_text())
    target = posixpath.normpath(posixpath.join(posixpath.dirname(ENGLISH_HTML), unquote(href)))
    assert (root / target).is_file(), target
    return posixpath.basename(target)


def test_a_saved_link_and_a_retitled_target_rebuild_the_linking_page(watcher, course_copy):
    deck = course_copy / VARIABLES
    deck.write_text(deck.read_text() + LINK)
    report = "\n".join(watcher.cycle())
    assert "warning" not in report
    assert _target(course_copy) == "04 Output with print.html"

    printing = course_copy / PRINTING
    printing.write_text(printing.read_text().replace("Output with print", "Printing things"))
    watcher.cycle()
    assert _target(course_copy) == "04 Printing things.html"
