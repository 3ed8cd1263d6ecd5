"""Deck processing: the Jinja pre-pass, cells and tags, the kind rules, the formats."""
