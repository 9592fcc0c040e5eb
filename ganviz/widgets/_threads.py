"""One BLAS thread while an explorer recomputes after a slider move.

The theory functions integrate with dot products over ~10⁴ quadrature
nodes; OpenBLAS splits those over threads. On a machine whose cores are busy
(a shared Binder pod, a CI runner, a laptop running a trainer) waking the
extra thread sometimes costs tens of milliseconds — more than the whole
update. A slider move is small work, so it runs on one BLAS thread.

Uses ``threadpoolctl`` when it is installed (it comes with scikit-learn);
without it this is a no-op. The limit lasts only for the ``with`` block.
"""

from __future__ import annotations

import contextlib

__all__ = ["single_blas_thread"]

_controller = None


def single_blas_thread():
    """Context manager limiting BLAS libraries to one thread (no-op without threadpoolctl)."""
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
            return contextlib.nullcontext()
        _controller = ThreadpoolController()  # scans the loaded libraries once (~ms)
    return _controller.limit(limits=1, user_api="blas")
