"""multiprocessing as Windows has it, loaded by every Python started with this folder on
PYTHONPATH: spawn is the only start method, get_context("fork") raises ValueError, and
there is no os.fork for anything to call."""

import multiprocessing
import os
from multiprocessing import context

for _method in ("fork", "forkserver"):
    context._concrete_contexts.pop(_method, None)
context._default_context._default_context = context._concrete_contexts["spawn"]
context.DefaultContext.get_all_start_methods = lambda self: ["spawn"]
multiprocessing.get_all_start_methods = context._default_context.get_all_start_methods
if hasattr(os, "fork"):
    del os.fork
