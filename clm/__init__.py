"""clm: build bilingual programming courses incrementally with doit.

The version constants that enter cache keys and up-to-date checks live here,
together: bump one when a change in clm changes what it produces, so that
what was kept from earlier builds is made again.
"""

__version__ = "0.1.0"

# What the outputs contain (with __version__ and the packaged templates: the engine key).
CONVERSION_VERSION = "4"
# What an execution produces: part of every execution's cache key.
EXECUTION_VERSION = "1"
# What a diagram render produces: part of every render's cache key.
RENDER_VERSION = "1"
# What the checks of a deck look at: kept verdicts are trusted only for this version.
CHECKS_VERSION = "5"
# What counts as a snippet or as protected text for the leak guard.
GUARD_VERSION = "5"
