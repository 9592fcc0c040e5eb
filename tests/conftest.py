"""Shared fixtures: a seeded random generator and headless defaults."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("GANVIZ_FAST", "1")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20141406)  # Goodfellow et al., arXiv:1406.2661


# Property tests explore new examples locally but are reproducible in CI.
try:
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, print_blob=True)
    settings.register_profile("explore", max_examples=300)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    pass
