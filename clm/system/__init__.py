"""What differs between Linux, macOS and Windows, said once: processes.

The rest of clm asks here whether a process runs, ends process trees and
stops itself, and never sends a signal of its own: Windows has no SIGKILL or
SIGHUP, and its ``os.kill(pid, 0)`` sends a console Ctrl-C instead of asking.
Imports nothing of clm.
"""
