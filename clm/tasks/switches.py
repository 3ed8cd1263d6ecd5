"""Yes-or-no settings a command-line option gives, else an environment variable.

``doit`` takes no options of clm's, so each such option of ``clm build`` has
a variable that a plain ``doit`` run reads instead (CLM_FAIL_ON_MISSING_XREF,
CLM_RERUN_FAILED).
"""

from __future__ import annotations

import os

from clm.errors import CourseError

_YES, _NO = ("1", "true", "yes"), ("0", "false", "no")


def switch(given: bool | None, variable: str, meaning: str) -> bool:
    """The command line's choice, else the variable's, else no; CourseError for a
    value that says neither (``meaning`` says what yes does, for that message)."""
    if given is not None:
        return given
    value = os.environ.get(variable)
    if value is None or value.strip().lower() in (*_NO, ""):
        return False
    if value.strip().lower() in _YES:
        return True
    raise CourseError(
        f"{variable}={value!r} says neither yes nor no: set it to 1, true or yes to "
        f"{meaning}, or to 0, false or no"
    )
