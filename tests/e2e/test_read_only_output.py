"""An output folder that refuses writes, or a file where a folder belongs: one message per
failing output naming the folder (or file) and the fix, exit 1, no traceback; `clm clean`
says the same of what it cannot delete.

Each output used to fail with a raw traceback of the OSError (14 of them for a
small course).
"""

from __future__ import annotations

import pytest

from clm.plan.layout import MATHJAX_FILE
from tests import disks
from tests.conftest import deck_text, write_files
from tests.e2e.helpers import output_files, run_clm
from tests.e2e.stopping import SPEC

pytestmark = pytest.mark.slow
small_disk = disks.small_disk  # the fixtures
read_only = disks.read_only

FIX = (
    "make the folder writable for this user (chmod u+w, or mount it read-write) or choose "
    "another output folder in the spec, then build again"
)


def _course(root):
    write_files(
        root,
        {
            "course.yaml": SPEC.replace("[sleepy, quick, steady]", "[quick]"),
            "slides/module_100_a/topic_110_quick.py": deck_text("Schnell", "Quick"),
        },
    )
    return root


def test_a_read_only_output_folder_fails_each_output_with_one_message(tmp_path, read_only):
    root = _course(tmp_path / "course")
    output = read_only(root / "output")
    result = run_clm(root, "build")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stdout
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED ")]
    messages = [line for line in result.stdout.splitlines() if line.startswith(f"{output}: ")]
    assert failed and len(messages) == len(failed), result.stdout
    assert all("cannot write into it: " in line and line.endswith(FIX) for line in messages)
    assert f"clm: {len(failed)} tasks failed" in result.stdout


def test_clean_names_what_a_read_only_output_folder_keeps(tmp_path, read_only):
    root = _course(tmp_path / "course")
    built = run_clm(root, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    written = output_files(root / "output")
    output = read_only(root / "output")
    cleaned = run_clm(root, "clean")
    assert cleaned.returncode == 1, cleaned.stderr
    assert "Traceback" not in cleaned.stderr, cleaned.stderr
    errors = cleaned.stderr.splitlines()
    assert len(errors) == len(written), cleaned.stderr
    assert all(line.startswith(f"error: {output}/") and line.endswith(FIX) for line in errors)
    assert "cannot delete output/" in errors[0]
    assert output_files(output).keys() == written.keys()


def test_a_file_where_an_output_folder_belongs_fails_the_outputs_below_it(tmp_path):
    root = _course(tmp_path / "course")
    write_files(root, {"output/speaker": "a file, not a folder"})
    result = run_clm(root, "build")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stdout
    lines = result.stdout.splitlines()
    failed = [line for line in lines if line.startswith("FAILED ")]
    # The outputs below it fail, and MathJax's copies into its two course folders.
    assert "FAILED copy-mathjax:" in failed
    failed.remove("FAILED copy-mathjax:")
    assert failed and all(":output/speaker/" in line for line in failed)
    blocked = [line for line in lines if line.startswith(f"{root / 'output/speaker'}: ")]
    assert len(blocked) == len(failed) + 2
    assert blocked[0].endswith("); move or delete it, then build again")
    assert "a file stands where clm needs a folder (for output/speaker/" in blocked[0]
    assert (root / "output/shared").is_dir()  # the other outputs are built
    assert len(list((root / "output").rglob(MATHJAX_FILE))) == 4  # shared and trainer
