"""All of SQLite, and nothing above it: the state and the results cache.

db (the state file, its schema and connection settings), backend (doit's
records), checker and store (content hashes), records (outputs, temp files),
history (runs, jobs, workers), heartbeats, counters, lock, verdicts (kept deck
checks and environment), leak_records (the leak guard's tables), results (the
ResultsCache seam) and cache (its SQLite implementation). Imports nothing of
clm above it.
"""
