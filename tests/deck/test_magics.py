"""Magics in a deck as jupytext reads them, but a commented install stays a comment (as in CLM)."""

from __future__ import annotations

import pytest

from clm.deck.notebook import parse_cells
from clm.languages.table import PYTHON


@pytest.mark.parametrize(
    "hint",
    [
        "# !pip install numpy",
        "# %pip install numpy",
        "# !pip3 uninstall -y numpy",
        "# !python -m pip install --upgrade numpy",
        "# !uv pip install numpy",
        "# !conda install -y numpy",
        "# !apt-get install graphviz",
        "# !npm install left-pad",
    ],
)
def test_a_commented_install_stays_a_comment(hint):
    text = f"# %%\n{hint}\nimport os\n"
    (cell,) = parse_cells(text, PYTHON)
    assert cell.source == f"{hint}\nimport os"


def test_other_commented_magics_become_live_as_jupytext_makes_them():
    text = "# %%\n# !pip install numpy\n# !ls\n# %time x = 1\n\n# %%\n# !echo hi\n"
    first, second = parse_cells(text, PYTHON)
    assert first.source == "# !pip install numpy\n!ls\n%time x = 1"
    assert second.source == "!echo hi"


def test_an_install_written_live_stays_live():
    (cell,) = parse_cells("# %%\n!pip install numpy\n", PYTHON)
    assert cell.source == "!pip install numpy"
