"""The environment switch notebooks read; library code takes explicit parameters instead."""

from __future__ import annotations

import os


def fast_mode() -> bool:
    """True when ``GANVIZ_FAST=1``: CI and headless runs shrink step counts.

    Notebooks (and tests) use it to pick short demonstrations and pass the
    counts on (``steps=…``); no library function reads it, so a call means the
    same with and without the variable.
    """
    return os.environ.get("GANVIZ_FAST", "").strip().lower() in {"1", "true", "yes", "on"}
