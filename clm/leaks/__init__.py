"""The leak guard: no text of a private, notes or del cell in a public output (see guard.py)."""
