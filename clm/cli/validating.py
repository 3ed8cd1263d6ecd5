"""``clm validate``: everything a build would refuse or warn about, without building.

For a pre-commit hook or a CI gate: the spec, every deck's headers, tags, Jinja
and titles, as ``clm build`` checks them, with nothing executed and nothing
written (an empty ``.clm/`` stays absent). Exit 0 when nothing is wrong
(warnings allowed), 1 on any error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sized
from pathlib import Path

from clm.errors import CourseError

# What a warning line says, when it names its place: "slides/x.py:12: warning: …".
_PLACED = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+): warning: (?P<message>.*)$", re.DOTALL)


def add_command(commands) -> None:
    """``clm validate``'s arguments, on the command line's subcommands."""
    validate = commands.add_parser(
        "validate",
        help="check the spec and every deck as a build would, without building or writing "
        "anything (exit 1 on any error; for pre-commit hooks and CI)",
    )
    validate.add_argument("spec", nargs="?", help="course spec (default as for build)")
    validate.add_argument("--json", action="store_true", help="the findings as one JSON object")
    add_xref_option(validate)


def add_xref_option(command) -> None:
    """``--fail-on-missing-xref``, of the commands that plan a build (build, validate)."""
    command.add_argument(
        "--fail-on-missing-xref",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a [text](clm:topic) link whose target is not built fails its deck, instead of "
        "a warning and the link's text alone (default: $CLM_FAIL_ON_MISSING_XREF, else no)",
    )


def add_rerun_option(command) -> None:
    """``clm build --rerun-failed``."""
    command.add_argument(
        "--rerun-failed",
        action="store_const",
        const=True,
        help="run the decks whose cell error the cache keeps again (default: "
        "$CLM_RERUN_FAILED, else a deck whose code, inputs and environment are unchanged "
        "reports its kept failure without running)",
    )


def validate(spec: str | None, as_json: bool, fail_on_missing_xref: bool | None = None) -> int:
    from clm.cli.building import _enter_course
    from clm.tasks.prepare import prepare_build
    from clm.tasks.runner import EXIT_FAILED, EXIT_OK

    errors: list[CourseError] = []
    warnings: list[str] = []
    decks = 0
    key = spec or ""
    try:
        spec_file = _enter_course(spec)
        key = spec_file.name
        build = prepare_build(spec_file, keep=False, fail_on_missing_xref=fail_on_missing_xref)
    except CourseError as error:  # the spec, or a deck the course cannot be planned with
        errors.append(error)
    else:
        key = build.spec.key
        decks = len(build.plan.decks)
        errors.extend(build.deck_errors.values())
        warnings.extend(build.warnings)
    if as_json:
        print(json.dumps(_report(key, decks, errors, warnings), ensure_ascii=False, indent=2))
    else:
        for warning in warnings:
            print(warning, file=sys.stderr)
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        print(
            f"{key}: {_count(range(decks), 'deck')}, {_count(errors, 'error')}, {_count(warnings, 'warning')}"
        )
    return EXIT_FAILED if errors else EXIT_OK


def _count(items: Sized, what: str) -> str:
    return f"{len(items)} {what}{'' if len(items) == 1 else 's'}"


def _report(key: str, decks: int, errors: list[CourseError], warnings: list[str]) -> dict:
    return {
        "spec": key,
        "decks": decks,
        "ok": not errors,
        "errors": [
            {
                "file": _relative(error.path),
                "line": error.line,
                "message": error.message,
            }
            for error in errors
        ],
        "warnings": [_warning(text) for text in warnings],
    }


def _relative(path: Path | None) -> str | None:
    """A path as the build's messages give it: relative to the course root, where it lies."""
    if path is None:
        return None
    if path.is_absolute() and path.is_relative_to(Path.cwd()):
        return path.relative_to(Path.cwd()).as_posix()
    return str(path)


def _warning(text: str) -> dict:
    placed = _PLACED.match(text)
    if placed is None:
        return {"file": None, "line": None, "message": text}
    return {
        "file": placed.group("file"),
        "line": int(placed.group("line")),
        "message": placed.group("message"),
    }
