"""Environment switches read by notebooks and long-running helpers."""

from __future__ import annotations

import os


def fast_mode() -> bool:
    """True when ``GANVIZ_FAST=1``: CI and headless runs shrink step counts.

    Notebooks use it to pick short demonstrations; without it a learner gets
    the real defaults.
    """
    return os.environ.get("GANVIZ_FAST", "").strip().lower() in {"1", "true", "yes", "on"}
