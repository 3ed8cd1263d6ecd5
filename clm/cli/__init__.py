"""The ``clm`` command line: parse the arguments, call the build or a report, print."""

from clm.cli.main import main

__all__ = ["main"]
