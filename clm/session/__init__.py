"""One build's context, made explicit: a Session per run, made by the entry points.

spec (the frozen SessionSpec every job record carries, from which a worker
rebuilds what it needs however it was started), worker (that rebuild, once
per process) and session (the Session of the process that runs the build:
workspace, results cache, shared cache; it starts and ends the run).
"""
