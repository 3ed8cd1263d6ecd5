"""How long an output path may be, as a spec says it: ``max-path-length`` and ``long-paths``.

Windows opens a path of at most 259 characters (MAX_PATH is 260 with the
terminating NUL) in Explorer, in zip tools and in most programs, and a course
is built, or unpacked, in a user's folder there. By default an output path,
counted from the course root (``output/…``), may take 180 of them: 79 remain
for the folder the course sits in, ``C:\\Users\\<user name of 20>\\Documents\\<course
folder of up to 38>\\``. Both readers read the two settings here.
"""

from __future__ import annotations

WINDOWS_MAX_PATH = 259
MAX_PATH_LENGTH = 180
COURSE_FOLDER_RESERVE = WINDOWS_MAX_PATH - MAX_PATH_LENGTH
# What a path longer than the limit is: one warning per spec (a Linux CI build must not
# fail for Windows' sake unless the spec asks), an error that stops the build, or nothing.
LONG_PATHS = ("warn", "error", "ignore")


def read_max_path_length(written: object) -> int:
    """The limit as the spec writes it (a YAML number, or an XML attribute's text);
    ValueError saying what is expected."""
    if isinstance(written, str) and written.strip().isdigit():
        written = int(written)
    if isinstance(written, bool) or not isinstance(written, int) or written <= 0:
        raise ValueError(
            f"expected the longest output path as a whole number of characters, counted from "
            f"the course root (default {MAX_PATH_LENGTH}: Windows allows {WINDOWS_MAX_PATH}, and "
            f"{COURSE_FOLDER_RESERVE} remain for C:\\Users\\<name>\\Documents\\<course folder>\\); "
            "to check no path at all, write long-paths: ignore"
        )
    return written


def read_long_paths(written: object) -> str:
    """What a path too long is, as the spec writes it; ValueError saying what is expected."""
    if written not in LONG_PATHS:
        raise ValueError(
            f"expected one of {', '.join(LONG_PATHS)}: what an output path longer than "
            "max-path-length is (warn: one warning, and the build goes on; error: the build "
            "stops before it starts; ignore: no check)"
        )
    return str(written)
