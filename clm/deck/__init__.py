"""Deck processing: the Jinja pre-pass (one render per variant), cells and tags, notebooks, formats."""
