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
