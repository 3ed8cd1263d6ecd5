"""The course every shared-store test reads and writes for: a folder with its key pair."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def course(tmp_path) -> Path:
    from clm.remote.signing import keygen

    pytest.importorskip("cryptography")
    root = tmp_path / "course"
    root.mkdir()
    keygen(root)
    return root
