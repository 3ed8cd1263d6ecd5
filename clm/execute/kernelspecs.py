"""The kernel spec of a course's own interpreter, for jupyter_client to start its ipykernel.

jupyter_client starts kernels from kernel specs, found by name in the
``share/jupyter/kernels`` folders of clm's environment; a course's
interpreter has no spec there, and installing one would write outside the
course. A spec manager that knows just that interpreter's spec is the seam
jupyter_client offers for this (``KernelManager.kernel_spec_manager``).
Imports jupyter_client: load it only when a kernel starts.
"""

from __future__ import annotations

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from traitlets import Unicode


def interpreter_spec(python: str) -> KernelSpec:
    """ipykernel's own spec (as ``ipykernel install`` writes it), for ``python``."""
    return KernelSpec(
        argv=[python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name="Python 3 (ipykernel)",
        language="python",
        metadata={"debugger": True},
    )


class InterpreterSpecs(KernelSpecManager):
    """Knows one kernel spec, whatever its name: the ipykernel of ``python``."""

    python = Unicode(help="the interpreter whose ipykernel runs the kernels")

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        return interpreter_spec(self.python)
