"""The platform marks: ``linux_only`` and ``posix_only`` tests are skipped elsewhere, each
with the reason its mark gives (a mark without one is a usage error)."""

from __future__ import annotations

# Each mark, and whether a platform (sys.platform, os.name) has what it asks for.
MARKS = {
    "linux_only": lambda platform, os_name: platform.startswith("linux"),
    "posix_only": lambda platform, os_name: os_name == "posix",
}


def skip_reason(mark: str, reason: str | None, platform: str, os_name: str) -> str | None:
    """Why a test marked ``mark`` is skipped on this platform, or None when it runs."""
    if not reason:
        raise ValueError(f"@pytest.mark.{mark} needs a reason: what the test needs")
    if MARKS[mark](platform, os_name):
        return None
    return f"{mark} ({platform}): {reason}"
