"""Running deck code: execution keys and grouping, kernels, the Executor seam.

keys groups executed variants by what the kernel runs; executor defines the
plain-data seam (ExecutionJob -> ExecutionResult) and the local executor;
runner runs one notebook in a kernel of kernels' pool (kernelspecs lets it start
the kernels of a course's own interpreter); environment fingerprints the
kernels' Python, asking a course's interpreter through probe; interpreter
resolves the spec's ``kernel-python`` and words what is wrong with it. Nothing
here writes a course file or touches SQLite.
"""
