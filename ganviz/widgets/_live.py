"""Train in a worker thread, redraw on the notebook's event loop.

The training dashboards (:mod:`~ganviz.widgets.training`,
:mod:`~ganviz.widgets.comparison`) share this small engine. Why a **thread**
rather than chunked ``async`` steps on the kernel's loop:

* a torch step releases the GIL inside its kernels, so the kernel's main
  thread keeps handling comm messages (the *pause* button, slider moves) and
  other cells while the network trains — chunked coroutines would stop
  training whenever a cell runs and need the chunk size tuned to the model;
* a thread needs no running event loop, so the same code runs in JupyterLab,
  Voilà, a plain script and a headless test.

What runs where (the rule that keeps it safe):

* the **worker** only touches trainers and numpy: it calls ``step()`` (atomic:
  the trainer holds its own lock for a whole step) and ``observe()`` (a
  snapshot plus derived arrays, "a frame");
* **widgets are only touched on the owner thread** (the kernel's main
  thread): the worker hands the newest frame over and asks the event loop
  captured at :meth:`LiveRunner.start` to draw it
  (``loop.call_soon_threadsafe``). Frames are coalesced — at most one waits —
  and the worker does not observe again until the last frame is *drawn*
  (back-pressure), so a busy kernel never queues a backlog of stale redraws.
  Without a running loop (a script, a test) :meth:`LiveRunner.join` draws the
  waiting frame in the calling thread.

Redraws are throttled: at least ``speed`` steps *and* ``MIN_REDRAW_SECONDS``
(0.1 s, i.e. ≤ 10 redraws/s) between two observations.

Pause answers within one redraw. The pause click is handled on the owner
thread, so it waits for a redraw in progress; meanwhile the worker trains at
most ``speed`` steps past the frame being drawn (then it waits for the draw),
and no newer frame is queued ahead of the click. :meth:`LiveRunner.stop`
drops a frame still waiting (it is stale) and draws the final state only. A
frame that waits *undrawn* means the kernel is busy elsewhere (another cell):
the worker then goes on training, unobserved. Stopping only ever happens
between two steps, so a paused trainer is always consistent.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The trainer's own Ctrl-C guard (train never imports widgets; widgets may import train).
from ..train.runtime import deferred_sigint

__all__ = ["MIN_REDRAW_SECONDS", "Emission", "LiveRunner", "deferred_sigint"]

#: Minimum time between two observations (≤ 10 redraws per second).
MIN_REDRAW_SECONDS = 0.1
#: Steps between divergence checks when no observation happens (a busy kernel).
GUARD_EVERY = 100
#: Timing samples kept for the benchmark (bounded).
TIMING_SAMPLES = 2000


@dataclass
class Emission:
    """What the owner thread draws: a frame, whether the run ended, and an error text."""

    frame: Any
    final: bool = False
    error: str | None = None


class LiveRunner:
    """Advance a model step by step, in a worker thread or synchronously, and redraw it.

    Parameters
    ----------
    step : callable ()
        One atomic training step (one lock-step of every run).
    observe : callable () -> frame
        The current state as plain data (called in the training thread).
    draw : callable (Emission)
        Show a frame (called on the owner thread only).
    check : callable (), optional
        A cheap divergence guard, called every ``GUARD_EVERY`` steps without an observation.
    speed : int
        Steps between two redraws (at least; ≤ 10 redraws per second whatever ``speed``).
    """

    def __init__(
        self,
        step: Callable[[], None],
        observe: Callable[[], Any],
        draw: Callable[[Emission], None],
        *,
        check: Callable[[], Any] | None = None,
        speed: int = 20,
        error_types: tuple[type[BaseException], ...] = (),
    ):
        self._step = step
        self._observe = observe
        self._draw = draw
        self._check = check
        self.speed = int(speed)
        #: exceptions shown in the widget (e.g. TrainingDiverged) rather than re-raised
        self.error_types = error_types
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        #: guards the hand-over (``_pending``, ``_drawing``); the worker waits on it for a draw
        self._handover = threading.Condition()
        self._pending: Emission | None = None
        self._drawing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._crash: BaseException | None = None
        #: steps done by the current (or last) run
        self.steps_done = 0
        #: redraws done since the runner was made
        self.redraws = 0
        #: training steps per second of the last run (observation included)
        self.steps_per_second = 0.0
        #: seconds per observation (training thread) and per redraw (owner thread)
        self.observe_seconds: deque[float] = deque(maxlen=TIMING_SAMPLES)
        self.draw_seconds: deque[float] = deque(maxlen=TIMING_SAMPLES)
        #: wall-clock times of the redraws (to check the rate cap)
        self.draw_times: deque[float] = deque(maxlen=TIMING_SAMPLES)
        #: identities of the threads that drew (only ever the owner thread)
        self.draw_threads: set[int] = set()

    # -- state ----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """True while a background run is in progress."""
        return self._thread is not None and self._thread.is_alive()

    # -- background runs ------------------------------------------------------------------
    def start(self, steps: int | None = None) -> bool:
        """Train in a worker thread: ``steps`` steps, or until :meth:`stop` when None.

        Returns False (and does nothing) when a run is already in progress.
        """
        if self.running:
            return False
        if steps is not None and (isinstance(steps, bool) or int(steps) != steps or steps < 0):
            raise ValueError(f"steps must be an integer ≥ 0 or None, got {steps!r}")
        self._stop.clear()
        self._crash = None
        try:
            # The kernel's loop when called from a cell or a button callback; None in a script.
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        self._thread = threading.Thread(
            target=self._work, args=(steps,), name="ganviz-training", daemon=True
        )
        self._thread.start()
        return True

    def stop(self) -> None:
        """Stop a background run after its current step, wait for it and draw the final state.

        A frame still waiting to be drawn is dropped (the final state follows at once), so a
        pause redraws once, not twice.
        """
        self._stop.set()
        with self._handover:
            pending = self._pending
            if pending is not None and not pending.final and pending.error is None:
                self._pending = None
            self._handover.notify_all()
        self.join()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the background run, drawing waiting frames here meanwhile.

        Returns True when the run has ended (False on ``timeout``). A Ctrl-C
        while waiting stops the run cleanly, then propagates. An unexpected
        exception of the training thread is re-raised here.
        """
        thread = self._thread
        deadline = None if timeout is None else time.perf_counter() + timeout
        try:
            while thread is not None and thread.is_alive():
                left = 0.1 if deadline is None else min(0.1, deadline - time.perf_counter())
                if left <= 0:
                    break
                thread.join(left)
                self.flush()
        except KeyboardInterrupt:
            self._stop.set()
            if thread is not None:
                thread.join()
            self.flush()
            raise
        self.flush()
        done = thread is None or not thread.is_alive()
        if done and self._crash is not None:
            crash, self._crash = self._crash, None
            raise crash
        return done

    def _work(self, steps: int | None) -> None:
        try:
            self._run(steps, self._stop.is_set, self._post)
        except BaseException as exc:  # reported on the owner thread
            if isinstance(exc, self.error_types):
                self._post(Emission(self._safe_observe(), final=True, error=str(exc)))
            else:
                self._crash = exc
                self._post(Emission(None, final=True, error=f"{type(exc).__name__}: {exc}"))

    def _safe_observe(self):
        try:
            return self._observe()
        except Exception:  # an error is already being reported
            return None

    # -- synchronous runs -----------------------------------------------------------------
    def advance(self, steps: int) -> None:
        """Do ``steps`` steps in the calling thread, redrawing as a background run would.

        Ctrl-C stops after the current step (then raises ``KeyboardInterrupt``).
        Errors of ``error_types`` are shown (drawn) and re-raised.
        """
        if isinstance(steps, bool) or int(steps) != steps or steps < 0:
            raise ValueError(f"steps must be an integer ≥ 0, got {steps!r}")
        if self.running:
            raise RuntimeError("a background run is in progress: pause it first")
        with deferred_sigint() as sigint:
            try:
                self._run(int(steps), lambda: sigint["hit"], self._draw_now)
            except self.error_types as exc:
                self._draw_now(Emission(self._safe_observe(), final=True, error=str(exc)))
                raise
        if sigint["hit"]:
            raise KeyboardInterrupt

    def _run(self, steps, should_stop, emit) -> None:
        """The loop shared by both modes: step, and now and then observe and emit."""
        self.steps_done = 0
        since_observe = since_check = 0
        last_emit = 0.0
        started = time.perf_counter()
        while (steps is None or self.steps_done < steps) and not should_stop():
            if since_observe >= self.speed and not self._wait_for_draw(should_stop):
                break
            self._step()
            self.steps_done += 1
            since_observe += 1
            since_check += 1
            now = time.perf_counter()
            if (
                since_observe >= self.speed
                and now - last_emit >= MIN_REDRAW_SECONDS
                and self._pending is None  # back-pressure: the last frame is not drawn yet
                and not self._drawing
            ):
                last_emit = now
                self.steps_per_second = self.steps_done / max(now - started, 1e-9)
                emit(Emission(self._timed_observe()))
                since_observe = since_check = 0
            elif self._check is not None and since_check >= GUARD_EVERY:
                self._check()
                since_check = 0
        elapsed = time.perf_counter() - started
        self.steps_per_second = self.steps_done / elapsed if elapsed > 0 else 0.0
        # The final state is always drawn, so figures match the trainers after a stop.
        emit(Emission(self._timed_observe(), final=True))

    def _wait_for_draw(self, should_stop) -> bool:
        """Wait while the owner thread draws (a redraw interval is trained ahead already).

        Keeps the run within ``speed`` steps of the frame on screen however slow drawing is
        (a pause is then answered within one redraw), and leaves the GIL to the drawing.
        Returns False when the run should stop.
        """
        with self._handover:
            while self._drawing and not should_stop():
                self._handover.wait(0.05)
        return not should_stop()

    def _timed_observe(self):
        t0 = time.perf_counter()
        frame = self._observe()
        self.observe_seconds.append(time.perf_counter() - t0)
        return frame

    # -- hand-over to the owner thread ----------------------------------------------------
    def _post(self, emission: Emission) -> None:
        with self._handover:
            waiting = self._pending is not None
            if waiting and emission.error is None and self._pending.error is not None:
                emission.error = self._pending.error  # a newer frame must not hide an error
            self._pending = emission
        loop = self._loop
        if loop is not None and not waiting:
            # RuntimeError: the loop was closed (the kernel is shutting down)
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self.flush)

    def flush(self) -> None:
        """Draw the waiting frame, if any (owner thread)."""
        with self._handover:
            emission, self._pending = self._pending, None
            if emission is None:
                return
            self._drawing = True  # set with the hand-over: the worker must not observe yet
        try:
            self._draw_now(emission)
        finally:
            with self._handover:
                self._drawing = False
                self._handover.notify_all()

    def refresh(self) -> None:
        """Observe and draw now, in the calling (owner) thread; not during a background run."""
        if self.running:
            raise RuntimeError("a background run is in progress: pause it first")
        self.flush()
        self._draw_now(Emission(self._timed_observe(), final=True))

    def _draw_now(self, emission: Emission) -> None:
        t0 = time.perf_counter()
        self._draw(emission)
        t1 = time.perf_counter()
        self.draw_threads.add(threading.get_ident())
        self.draw_seconds.append(t1 - t0)
        self.draw_times.append(t1)
        self.redraws += 1
