"""The build: the doit adapter over the plan and what its workers run.

prepare and tasks (plan, check, one task dict per output, each action with a
frozen job record from jobs), the actions (thin I/O around the conversions:
atomic writes, results-cache lookups, counts), the run bookkeeping shared by
doit's reporter and the watcher, the progress line, and running doit itself.
"""
