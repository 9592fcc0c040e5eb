"""The mode-collapse plots draw the core's densities, divergences and coverage."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest
from plotkit import trace, values

import ganviz as gv
from ganviz.fitting import mode_report
from ganviz.plots.modes import (
    METRIC_LABELS,
    MODE_TRACES_1D,
    MODE_TRACES_2D,
    mode_collapse_figure,
    mode_metrics_figure,
    update_mode_collapse_figure,
    update_mode_metrics_figure,
)


def test_one_d_figure_draws_both_densities_and_marks_missed_modes():
    line = gv.line_of_gaussians(5, spacing=3.0, std=0.4)
    p_g = gv.Mixture([line.components[i] for i in (0, 3)])
    fig = mode_collapse_figure(line, p_g, n=250)
    assert [t.name for t in fig.data] == list(MODE_TRACES_1D)
    xs = values(trace(fig, "p_data").x)
    np.testing.assert_allclose(values(trace(fig, "p_data").y), line.pdf(xs))
    np.testing.assert_allclose(values(trace(fig, "p_g").y), p_g.pdf(xs))
    centres = gv.mixture_centres(line)
    np.testing.assert_allclose(values(trace(fig, "covered modes").x), centres[[0, 3]])
    np.testing.assert_allclose(values(trace(fig, "missed modes").x), centres[[1, 2, 4]])
    assert "2 / 5" in fig.layout.title.text


def test_two_d_figure_draws_contours_samples_and_three_sigma_circles():
    ring = gv.ring_of_gaussians(6, radius=2.0, std=0.2)
    p_g = gv.Mixture(ring.components[:2])
    report = mode_report(ring, p_g, n_samples=300, seed=4)
    fig = mode_collapse_figure(ring, p_g, report=report, n=40, n_show=100)
    assert [t.name for t in fig.data] == list(MODE_TRACES_2D)
    contour = trace(fig, "p_data")
    gx, gy = np.meshgrid(values(contour.x), values(contour.y))
    np.testing.assert_allclose(
        np.asarray(contour.z), ring.pdf(np.stack([gx, gy], axis=-1)), rtol=1e-12
    )
    samples = trace(fig, "P_g samples")
    np.testing.assert_allclose(values(samples.x), report.samples[:100, 0])
    # each covered circle: 41 points at distance 3σ from a covered centre, then a gap
    circle = values(trace(fig, "3σ covered").x), values(trace(fig, "3σ covered").y)
    pts = np.stack(circle, axis=1).reshape(2, 42, 2)[:, :41]
    centres = gv.mixture_centres(ring)
    for k in range(2):
        np.testing.assert_allclose(np.linalg.norm(pts[k] - centres[k], axis=1), 0.6)
    missed = values(trace(fig, "3σ missed").x)
    assert len(missed) == 4 * 42


def test_metrics_bars_show_the_report_with_capped_kl():
    ring = gv.ring_of_gaussians(8, radius=3.0, std=0.2)
    report = mode_report(ring, gv.Mixture(ring.components[:3]), n_samples=400)
    fig = mode_metrics_figure(report, cap=6.0)
    bars = trace(fig, "divergences")
    assert list(bars.x) == list(METRIC_LABELS)
    expected = [getattr(report, field) for field in METRIC_LABELS.values()]
    np.testing.assert_allclose(values(bars.y), np.minimum(expected, 6.0))
    assert report.kl_data_g > 6 and bars.text[1].endswith("▲")
    assert bars.y[2] == pytest.approx(math.log(8 / 3), abs=1e-6)
    per_mode = trace(fig, "samples per mode")
    np.testing.assert_array_equal(values(per_mode.y), report.counts)
    assert "3 / 8" in fig.layout.title.text


def test_updates_in_place():
    line = gv.line_of_gaussians(4, spacing=3.0, std=0.4)
    first = gv.Mixture(line.components[:1])
    fig = go.FigureWidget(mode_collapse_figure(line, first))
    metrics = go.FigureWidget(mode_metrics_figure(mode_report(line, first)))
    ids = [id(t) for t in fig.data], [id(t) for t in metrics.data]
    everything = gv.Mixture(line.components)
    report = mode_report(line, everything)
    update_mode_collapse_figure(fig, line, everything, report=report)
    update_mode_metrics_figure(metrics, report)
    assert ([id(t) for t in fig.data], [id(t) for t in metrics.data]) == ids
    assert len(trace(fig, "missed modes").x) == 0
    assert len(trace(fig, "covered modes").x) == 4
    assert metrics.data[0].y[1] == pytest.approx(0.0, abs=1e-9)
    with pytest.raises(ValueError, match="1-D pairs"):
        ring = gv.ring_of_gaussians(4)
        update_mode_collapse_figure(fig, ring, ring)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="ModeReport"):
        mode_metrics_figure({"js": 0.1})
    with pytest.raises(ValueError, match="1-D"):
        mode_collapse_figure(gv.Gaussian(0, 1), gv.Gaussian([0, 0]))
