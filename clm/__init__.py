"""clm: build bilingual programming courses incrementally with doit."""

__version__ = "0.1.0"
