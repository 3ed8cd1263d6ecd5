"""The output plan as pure data: every file a build writes and what it is made from.

variants holds every kind rule (which variants exist, which run code), tags
the tag vocabulary (where each tag stands, which kinds drop its cell, what it
protects), layout the output tree and its names, outputs the plan
itself, select what `--only` keeps. No kernel, converter or output folder is
touched here.
"""
