"""The leak guard: no text of a private, notes, voiceover or del cell in a student output (see guard.py)."""
