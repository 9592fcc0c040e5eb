"""Mode coverage with the 3σ rule, on hand-built sample sets."""

from __future__ import annotations

import numpy as np
import pytest

import ganviz as gv


def test_coverage_counts_modes_and_high_quality_fraction():
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    samples = np.array(
        [
            [0.1, 0.0],  # mode 0, within 3σ (σ = 0.1 → 0.3)
            [0.0, 0.29],  # mode 0
            [10.0, 0.2],  # mode 1
            [5.0, 5.0],  # nowhere
            [0.0, 10.5],  # nearest mode 2 but 0.5 > 0.3: low quality
        ]
    )
    result = gv.mode_coverage(samples, centres, std=0.1)
    assert result == (2, pytest.approx(3 / 5))
    assert result.modes_covered == 2 and result.high_quality == pytest.approx(0.6)
    np.testing.assert_array_equal(gv.mode_counts(samples, centres, 0.1), [2, 1, 0])
    assert gv.mode_coverage(samples, centres, std=0.1, min_samples=2).modes_covered == 1
    assert gv.mode_coverage(samples, centres, std=0.1, threshold=6).modes_covered == 3


def test_coverage_in_1d_and_of_the_ring_itself():
    assert gv.mode_coverage([0.0, 4.1, 20.0], [0.0, 4.0, 8.0], std=0.5) == (2, pytest.approx(2 / 3))
    ring = gv.ring_of_gaussians(8, radius=2.0, std=0.02)
    covered, quality = gv.mode_coverage(
        ring.sample(20_000, seed=0), gv.mixture_centres(ring), std=0.02
    )
    # a 2-D Gaussian puts P(|x − μ| ≤ 3σ) = 1 − exp(−9/2) of its mass within 3σ
    expected = 1 - np.exp(-4.5)
    assert covered == 8
    assert abs(quality - expected) < 3 * np.sqrt(expected * (1 - expected) / 20_000)
    collapsed = gv.Gaussian([2.0, 0.0], std=0.02).sample(500, seed=1)
    assert gv.mode_coverage(collapsed, gv.mixture_centres(ring), 0.02).modes_covered == 1


def test_empty_samples_cover_nothing():
    assert gv.mode_coverage(np.zeros((0, 2)), [[0.0, 0.0]], std=1.0) == (0, 0.0)


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: gv.mode_coverage([[0.0, 0.0]], [[0.0, 0.0]], std=0), "std"),
        (lambda: gv.mode_coverage([[0.0, 0.0]], [0.0, 1.0], std=1), "samples are 2-D"),
        (lambda: gv.mode_coverage([[np.nan, 0.0]], [[0.0, 0.0]], std=1), "finite"),
        (lambda: gv.mode_coverage([[0.0, 0.0]], np.zeros((0, 2)), std=1), "at least one"),
        (lambda: gv.mode_coverage([[0.0, 0.0]], [[0.0, 0.0]], std=1, min_samples=0), "min_samples"),
    ],
)
def test_modes_bad_input(call, fragment):
    with pytest.raises(ValueError, match=fragment):
        call()
