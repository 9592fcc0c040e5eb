"""Property tests on random mixtures: bounds, symmetry, non-negativity, the value identity."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import ganviz as gv

LOG2 = math.log(2)

means = st.floats(-6, 6, allow_nan=False)
stds = st.floats(0.2, 3.0, allow_nan=False)
weights = st.floats(0.05, 1.0, allow_nan=False)


@st.composite
def mixtures_1d(draw):
    k = draw(st.integers(1, 3))
    comps = [gv.Gaussian(draw(means), draw(stds)) for _ in range(k)]
    return gv.Mixture(comps, [draw(weights) for _ in range(k)])


@st.composite
def mixtures_2d(draw):
    k = draw(st.integers(1, 2))
    comps = []
    for _ in range(k):
        sx, sy, rho = draw(stds), draw(stds), draw(st.floats(-0.8, 0.8))
        cov = [[sx * sx, rho * sx * sy], [rho * sx * sy, sy * sy]]
        comps.append(gv.Gaussian([draw(means), draw(means)], cov=cov))
    return gv.Mixture(comps, [draw(weights) for _ in range(k)])


@settings(max_examples=60, deadline=None)
@given(mixtures_1d(), mixtures_1d())
def test_1d_divergence_properties(p, q):
    js_pq, js_qp = gv.js_divergence(p, q), gv.js_divergence(q, p)
    assert 0.0 <= js_pq <= LOG2
    assert math.isclose(js_pq, js_qp, abs_tol=1e-10)
    assert gv.kl_divergence(p, q) >= 0.0 and gv.kl_divergence(q, p) >= 0.0
    # V(G, D*) integrated from log D* and log(1 − D*) equals 2·JS − 2·log 2
    assert math.isclose(gv.value_function(p, q), 2 * js_pq - 2 * LOG2, abs_tol=1e-9)
    # Pinsker-type sandwich linking TV and JS: JS ≤ TV·log 2 and TV² / 2 ≤ ... (Lin 1991)
    tv = gv.total_variation(p, q)
    assert js_pq <= tv * LOG2 + 1e-9
    assert gv.js_divergence(p, p) <= 1e-12
    x = np.linspace(-10, 10, 101)
    d = gv.optimal_discriminator(p, q, x)
    assert np.all((d >= 0) & (d <= 1))


@settings(max_examples=15, deadline=None)
@given(mixtures_2d(), mixtures_2d())
def test_2d_divergence_properties(p, q):
    js = gv.js_divergence(p, q)
    assert 0.0 <= js <= LOG2
    assert math.isclose(js, gv.js_divergence(q, p), abs_tol=1e-9)
    assert math.isclose(gv.value_function(p, q), 2 * js - 2 * LOG2, abs_tol=1e-8)
    assert gv.kl_divergence(p, q) >= 0.0
