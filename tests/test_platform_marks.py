"""The platform marks skip a test on the platforms that lack what it needs, and say why."""

from __future__ import annotations

import pytest

from tests.platforms import skip_reason


@pytest.mark.parametrize(
    ("mark", "platform", "os_name", "runs"),
    [
        ("linux_only", "linux", "posix", True),
        ("linux_only", "darwin", "posix", False),
        ("linux_only", "win32", "nt", False),
        ("posix_only", "linux", "posix", True),
        ("posix_only", "darwin", "posix", True),
        ("posix_only", "win32", "nt", False),
    ],
)
def test_a_marked_test_runs_only_where_its_need_is_met(mark, platform, os_name, runs):
    reason = skip_reason(mark, "reads /proc", platform, os_name)
    assert (reason is None) == runs
    if not runs:
        assert reason == f"{mark} ({platform}): reads /proc"


def test_a_mark_without_a_reason_is_refused():
    with pytest.raises(ValueError, match="needs a reason"):
        skip_reason("linux_only", None, "linux", "posix")
