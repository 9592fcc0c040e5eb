"""Where and how a run executes: the device, the CPU threads and lock, Ctrl-C, seed streams.

Nothing here knows about GANs; :class:`~ganviz.train.Trainer` uses these to
stay safe when a dashboard trains it from another thread, when a learner
presses Ctrl-C, and when one seed must give several independent streams.
"""

from __future__ import annotations

import contextlib
import signal
import threading

import numpy as np
import torch

__all__ = ["ComputeGuard", "deferred_sigint", "resolve_device", "sub_seeds"]


def resolve_device(name: str = "auto") -> torch.device:
    """``"auto"`` → cuda if available, else mps, else cpu; other names are checked."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            "device 'cuda' was asked for but torch sees no CUDA device; use 'auto' or 'cpu'"
        )
    if device.type == "mps" and not (
        getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()
    ):
        raise ValueError("device 'mps' was asked for but it is not available; use 'auto' or 'cpu'")
    return device


@contextlib.contextmanager
def deferred_sigint():
    """Hold a Ctrl-C until the current step is done (main thread); a second one acts at once.

    Yields a dict whose ``"hit"`` entry turns True when Ctrl-C was pressed.
    """
    state = {"hit": False}
    if threading.current_thread() is not threading.main_thread():
        yield state
        return
    previous = signal.getsignal(signal.SIGINT)
    if previous is None:
        previous = signal.default_int_handler

    def handler(signum, frame):
        state["hit"] = True
        signal.signal(signal.SIGINT, previous)

    try:
        signal.signal(signal.SIGINT, handler)
    except ValueError:  # pragma: no cover - not the main interpreter
        yield state
        return
    try:
        yield state
    finally:
        signal.signal(signal.SIGINT, previous)


class ComputeGuard:
    """The trainer's lock plus its CPU thread count, set on entry and restored on exit.

    Re-entrant (an ``RLock``); only the outermost entry touches the thread count.
    """

    def __init__(self, lock: threading.RLock, threads: int):
        self._lock, self._threads = lock, threads
        self._depth = 0
        self._previous = 0

    def __enter__(self):
        self._lock.acquire()
        self._depth += 1
        if self._depth == 1 and self._threads:
            self._previous = torch.get_num_threads()
            if self._previous != self._threads:
                torch.set_num_threads(self._threads)
        return self

    def __exit__(self, *exc):
        self._depth -= 1
        if self._depth == 0 and self._threads and self._previous != self._threads:
            torch.set_num_threads(self._previous)
        self._lock.release()
        return False


def sub_seeds(seed: int, n: int) -> list[int]:
    """``n`` independent 63-bit seeds derived from ``seed`` (numpy's ``SeedSequence``)."""
    return [
        int(s)
        for s in np.random.SeedSequence(seed).generate_state(n, dtype=np.uint64) >> np.uint64(1)
    ]
