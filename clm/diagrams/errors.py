"""What can go wrong when rendering a diagram, in words meant for the author."""

from __future__ import annotations


class DiagramError(Exception):
    """A diagram could not be rendered; the message names the file (and line) and the fix."""


class MissingTool(DiagramError):
    """A converter is not installed; the message says how to install it."""

    def __init__(self, tool: str, message: str):
        super().__init__(message)
        self.tool = tool
