"""The engine key: what of clm decides the outputs, and nothing else."""

from __future__ import annotations

import os

from clm.tasks.prepare import engine_key
from clm.templates import PACKAGE_TEMPLATES, packaged_files


def test_bytecode_caches_beside_the_templates_change_nothing():
    # An editable install writes clm/templates/__pycache__ at the first import: every
    # output of every course was out of date once, for nothing.
    before = engine_key()
    cache = PACKAGE_TEMPLATES / "__pycache__"
    made = not cache.exists()
    cache.mkdir(exist_ok=True)
    stray = cache / f"probe-{os.getpid()}.cpython-311.pyc"
    stray.write_bytes(b"bytecode")
    try:
        assert engine_key() == before
        assert stray not in packaged_files()
    finally:
        stray.unlink()
        if made:
            cache.rmdir()


def test_a_template_file_is_part_of_the_key():
    assert any(path.name == "macros.j2" for path in packaged_files())
