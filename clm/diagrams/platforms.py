"""Where each system keeps the converters' programs and fonts, and how one installs them.

One table, one row per system (``sys.platform``), so a hint for macOS never
reads ``apt-get``. A place is written as the system writes it, with one kind of
root in front: ``/`` (the file system's root), ``~/`` (the user's home) or
``%Name%/`` (an environment variable, as Windows names its folders).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class System:
    name: str
    install: Mapping[str, str]  # tool -> the command (or page) that installs it
    commands: Mapping[str, tuple[str, ...]]  # tool -> program names looked up on PATH
    places: Mapping[str, tuple[str, ...]]  # tool -> where installers put it, off PATH
    font_folders: tuple[str, ...]
    # draw.io's default font is Helvetica. Linux has neither it nor Arial: the
    # metric-compatible Liberation Sans stands in, so labels keep their widths.
    # macOS and Windows ship the originals.
    fonts: tuple[str, ...]  # file names (any case), one of which must be present
    font_role: str


_BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
    "microsoft-edge-stable",
)
_MAC_APPS = ("Google Chrome", "Chromium", "Microsoft Edge")
_WINDOWS_ROOTS = ("%ProgramFiles%", "%ProgramFiles(x86)%", "%LocalAppData%")
_WINDOWS_BROWSERS = (
    "Google/Chrome/Application/chrome.exe",
    "Microsoft/Edge/Application/msedge.exe",
    "Chromium/Application/chrome.exe",
)
_LINUX_FONTS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts")

LINUX = System(
    name="Debian/Ubuntu",
    install={
        "java": "apt-get install default-jre-headless",
        "dot": "apt-get install graphviz",
        "chromium": "apt-get install chromium",
        "fonts": "apt-get install fonts-liberation",
    },
    commands={"java": ("java",), "dot": ("dot",), "chromium": _BROWSERS},
    places={},
    font_folders=_LINUX_FONTS,
    fonts=("LiberationSans-Regular.ttf",),
    font_role="Liberation Sans, metric-compatible with Helvetica and Arial",
)
MACOS = System(
    name="macOS",
    install={
        "java": "brew install --cask temurin",
        "dot": "brew install graphviz",
        "chromium": "brew install --cask google-chrome",
        "fonts": "Helvetica and Arial ship with macOS: restore them in the Font Book app",
    },
    commands={"java": ("java",), "dot": ("dot",), "chromium": _BROWSERS},
    places={
        # A program started from the Dock or an IDE sees no Homebrew on its PATH.
        "dot": ("/opt/homebrew/bin/dot", "/usr/local/bin/dot"),
        "chromium": tuple(
            f"{folder}/{app}.app/Contents/MacOS/{app}"
            for folder in ("/Applications", "~/Applications")
            for app in _MAC_APPS
        ),
    },
    font_folders=("/System/Library/Fonts", "/Library/Fonts", "~/Library/Fonts"),
    fonts=("Helvetica.ttc", "Arial.ttf"),
    font_role="Helvetica or Arial",
)
WINDOWS = System(
    name="Windows",
    install={
        "java": "winget install EclipseAdoptium.Temurin.21.JRE",
        "dot": "winget install Graphviz.Graphviz",
        "chromium": "winget install Google.Chrome",
        "fonts": "Arial ships with Windows: restore it under Settings > Personalization > Fonts",
    },
    commands={"java": ("java",), "dot": ("dot",), "chromium": ("chrome", "msedge", "chromium")},
    places={
        # Graphviz's installer leaves PATH alone unless asked to change it.
        "dot": tuple(f"{root}/Graphviz/bin/dot.exe" for root in _WINDOWS_ROOTS[:2]),
        "chromium": tuple(
            f"{root}/{browser}" for browser in _WINDOWS_BROWSERS for root in _WINDOWS_ROOTS
        ),
    },
    font_folders=("%WINDIR%/Fonts", "%LocalAppData%/Microsoft/Windows/Fonts"),
    fonts=("arial.ttf",),
    font_role="Arial",
)
# Any other system, or a Linux without apt: where to download each tool.
ELSEWHERE = replace(
    LINUX,
    name="this system",
    install={
        "java": "install a Java runtime, e.g. from https://adoptium.net",
        "dot": "install graphviz from https://graphviz.org/download/",
        "chromium": "install Chrome or Chromium, e.g. from https://www.google.com/chrome/",
        "fonts": "install the Liberation fonts from "
        "https://github.com/liberationfonts/liberation-fonts/releases",
    },
)
SYSTEMS: Mapping[str, System] = {"linux": LINUX, "darwin": MACOS, "win32": WINDOWS}


def current() -> System:
    """This machine's row (a Linux without apt-get gets the download pages)."""
    system = SYSTEMS.get(sys.platform, ELSEWHERE)
    if system is LINUX and shutil.which("apt-get") is None:
        return ELSEWHERE
    return system


_ROOT = re.compile(r"^(?:%(?P<variable>[^%]+)%|(?P<home>~)|(?P<root>))/")


@dataclass(frozen=True)
class Machine:
    """What a place is resolved against: this machine's, or a test's stand-in tree."""

    environ: Mapping[str, str]
    home: Path
    root: Path = Path("/")

    @classmethod
    def this(cls) -> Machine:
        return cls(os.environ, Path.home())

    def path(self, place: str) -> Path | None:
        """``place`` as a path here, or None when the variable it starts with is not set."""
        match = _ROOT.match(place)
        if match is None:
            raise ValueError(f"{place!r} starts with none of /, ~/ or %Name%/")
        rest = place[match.end() :].split("/")
        if match["variable"]:
            # Windows' variables are read case-blind, whatever the mapping is.
            wanted = match["variable"].casefold()
            found = (v for k, v in self.environ.items() if k.casefold() == wanted and v)
            value = next(found, None)
            return Path(value, *rest) if value else None
        return Path(self.home if match["home"] else self.root, *rest)


def find(tool: str, system: System, machine: Machine | None = None) -> str | None:
    """``tool``'s program: the first of its names on PATH, else its first install place."""
    machine = Machine.this() if machine is None else machine
    for name in system.commands.get(tool, ()):
        found = shutil.which(name, path=machine.environ.get("PATH"))
        if found:
            return found
    for place in system.places.get(tool, ()):
        path = machine.path(place)
        if path is not None and path.is_file():
            return str(path)
    return None


def find_font(system: System, machine: Machine | None = None) -> Path | None:
    """The first file of ``system.fonts`` in its font folders (searched all the way down)."""
    machine = Machine.this() if machine is None else machine
    wanted = {name.casefold() for name in system.fonts}
    for place in system.font_folders:
        folder = machine.path(place)
        if folder is not None:
            found = next((f for f in _files(folder) if f.name.casefold() in wanted), None)
            if found is not None:
                return found
    return None


def _files(folder: Path) -> Iterator[Path]:
    for parent, _, names in os.walk(folder):
        for name in names:
            yield Path(parent, name)
