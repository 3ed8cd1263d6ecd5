"""Running deck code: execution keys and grouping, kernels, the Executor seam.

keys groups executed variants by what the kernel runs; executor defines the
plain-data seam (ExecutionJob -> ExecutionResult) and the local executor;
runner runs one notebook in a kernel of kernels' pool; environment fingerprints
the kernels' Python. Nothing here writes a file or touches SQLite.
"""
