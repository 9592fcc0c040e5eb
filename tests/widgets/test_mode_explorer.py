"""ModeCollapseExplorer, headless: divergences, coverage and fits equal the core's."""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import pytest
from plotkit import trace, values

import ganviz as gv
import ganviz.widgets.modes as modes_module
from ganviz.fitting import fit_gaussian, mode_report
from ganviz.plots.modes import METRIC_LABELS
from ganviz.widgets.modes import ModeCollapseExplorer


def expected_centres(explorer):
    """Mode centres from the controls' meaning: neighbours ``spacing`` apart."""
    c = explorer.controls
    k, spacing = c["k"].value, c["spacing"].value
    if c["layout"].value == 1:
        return (spacing * (np.arange(k) - (k - 1) / 2))[:, None]
    radius = spacing / (2 * math.sin(math.pi / k)) if k > 1 else 0.0
    angles = 2 * math.pi * np.arange(k) / k
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def assert_state(explorer, full=False):
    c = explorer.controls
    k, dim = c["k"].value, c["layout"].value
    centres = expected_centres(explorer)
    np.testing.assert_allclose(
        gv.mixture_centres(explorer.p_data).reshape(k, -1), centres, atol=1e-12
    )
    assert explorer.p_data.dim == dim
    chosen = c["covered"].value
    assert set(chosen) <= set(range(k)) and len(c["covered"].options) == k
    assert c["n_covered"].value == len(chosen) and c["n_covered"].max == k
    if explorer.fit_result is None:
        expected_g = gv.Mixture([explorer.p_data.components[i] for i in chosen])
        np.testing.assert_allclose(
            gv.mixture_centres(explorer.p_g).reshape(len(chosen), -1), centres[list(chosen)]
        )
    else:
        expected_g = explorer.fit_result.gaussian
        assert explorer.p_g is expected_g
    report = explorer.report
    bars = trace(explorer.panels["metrics"], "divergences")
    cap = explorer.panels["metrics"].layout.meta["cap"]
    np.testing.assert_allclose(
        values(bars.y), [min(getattr(report, f), cap) for f in METRIC_LABELS.values()]
    )
    np.testing.assert_array_equal(
        values(trace(explorer.panels["metrics"], "samples per mode").y), report.counts
    )
    np.testing.assert_allclose(report.samples, expected_g.sample(explorer.n_samples, seed=0))
    assert (report.modes_covered, report.high_quality) == tuple(
        gv.mode_coverage(report.samples, gv.mixture_centres(explorer.p_data), c["spread"].value)
    )
    fig = explorer.panels["modes"]
    if dim == 1:
        xs = values(trace(fig, "p_g").x)
        np.testing.assert_allclose(values(trace(fig, "p_g").y), expected_g.pdf(xs), atol=1e-14)
        np.testing.assert_allclose(
            values(trace(fig, "p_data").y), explorer.p_data.pdf(xs), atol=1e-14
        )
        assert len(trace(fig, "covered modes").x) == report.modes_covered
    else:
        shown = trace(fig, "P_g samples")
        n = len(shown.x)
        np.testing.assert_allclose(values(shown.x), report.samples[:n, 0])
    if full:  # the fast trapezoid grid agrees with the core's adaptive quadrature
        reference = mode_report(explorer.p_data, expected_g, n_samples=explorer.n_samples)
        assert report.js == pytest.approx(reference.js, rel=1e-5, abs=1e-9)
        assert report.kl_g_data == pytest.approx(reference.kl_g_data, rel=1e-3, abs=1e-9)
        assert report.kl_data_g == pytest.approx(reference.kl_data_g, rel=1e-3, abs=1e-9)


def test_builds_with_no_arguments():
    explorer = ModeCollapseExplorer()
    assert isinstance(explorer, widgets.VBox)
    assert list(explorer.figures) == ["2-D"] and isinstance(explorer.figure, go.FigureWidget)
    assert list(explorer.panels) == ["modes", "metrics"]
    assert explorer.p_data.dim == 2 and len(explorer.p_data.components) == 8
    assert_state(explorer, full=True)
    # three of eight far-apart modes: mode seeking costs log(8/3), covering explodes
    assert explorer.report.kl_g_data == pytest.approx(math.log(8 / 3), abs=1e-3)
    assert explorer.report.kl_data_g > 20
    assert explorer.report.modes_covered == 3


def test_choosing_modes_updates_numbers_and_coverage():
    explorer = ModeCollapseExplorer(dim=1, k=5, n_covered=1, spacing=3.0, spread=0.4)
    explorer.controls["covered"].value = (0, 2, 4)
    assert explorer.controls["n_covered"].value == 3
    assert explorer.report.modes_covered == 3
    assert explorer.report.kl_g_data == pytest.approx(math.log(5 / 3), abs=1e-3)
    assert_state(explorer, full=True)
    explorer.controls["n_covered"].value = 5
    assert explorer.controls["covered"].value == (0, 1, 2, 3, 4)
    assert explorer.report.kl_data_g == pytest.approx(0.0, abs=1e-9)
    assert_state(explorer)


def test_no_covered_mode_shows_a_message_and_keeps_the_figures():
    explorer = ModeCollapseExplorer()
    before = values(trace(explorer.panels["metrics"], "divergences").y)
    explorer.controls["covered"].value = ()
    assert explorer.error and "at least one mode" in explorer.error
    np.testing.assert_array_equal(
        values(trace(explorer.panels["metrics"], "divergences").y), before
    )
    explorer.controls["covered"].value = (5,)
    assert explorer.error is None
    assert_state(explorer)


def test_fewer_modes_keep_a_consistent_selection():
    explorer = ModeCollapseExplorer(k=8, n_covered=3)
    explorer.controls["covered"].value = (1, 6)
    explorer.controls["k"].value = 4
    assert explorer.controls["covered"].value == (1,)
    assert_state(explorer)
    explorer.controls["k"].value = 1
    assert explorer.controls["covered"].value == (0,)
    assert_state(explorer)


def test_fit_buttons_cover_or_seek(monkeypatch):
    seen = []

    def spying_fit(*args, **kwargs):
        explorer = state["explorer"]
        seen.append((explorer.status.value, explorer.controls["fit_js"].disabled))
        return fit_gaussian(*args, **kwargs)

    state = {"explorer": ModeCollapseExplorer()}
    explorer = state["explorer"]
    monkeypatch.setattr(modes_module, "fit_gaussian", spying_fit)
    explorer.controls["fit_kl_reverse"].click()
    assert seen and "fitting" in seen[0][0] and seen[0][1]  # a visible busy state
    assert not explorer.controls["fit_js"].disabled
    distances = np.linalg.norm(gv.mixture_centres(explorer.p_data) - explorer.p_g.mean, axis=1)
    assert distances.min() < 0.02  # mode seeking: on one mode
    assert explorer.report.modes_covered == 1
    assert "reverse KL" in explorer.status.value
    assert_state(explorer)

    explorer.controls["fit_kl_forward"].click()
    np.testing.assert_allclose(explorer.p_g.covariance, explorer.p_data.covariance, atol=1e-12)
    np.testing.assert_allclose(explorer.p_g.mean, explorer.p_data.mean, atol=1e-12)
    assert explorer.report.modes_covered == 8  # mode covering (and blurring)
    assert_state(explorer)

    calls = len(seen)
    explorer.controls["fit_kl_reverse"].click()  # cached: no second optimisation
    assert len(seen) == calls
    # moving a data slider drops the fit: P_g goes back to the chosen modes
    explorer.controls["spread"].value = 0.25
    assert explorer.fit_result is None
    assert_state(explorer)


def test_js_fit_in_one_d():
    explorer = ModeCollapseExplorer(dim=1, k=3, spacing=4.0, spread=0.5)
    fit = explorer.fit("js")
    assert explorer.p_g is fit.gaussian
    assert fit.value <= gv.js_divergence(explorer.p_data, gv.Gaussian(4.0, 0.5)) + 1e-9
    assert_state(explorer, full=True)
    with pytest.raises(ValueError, match="divergence must be one of"):
        explorer.fit("tv")


def test_two_hundred_random_moves_leave_no_exception_and_no_stale_trace():
    explorer = ModeCollapseExplorer()
    c = explorer.controls
    rng = np.random.default_rng(1406)

    def subset():
        k = c["k"].value
        size = int(rng.integers(0, k + 1))  # 0: the invalid empty choice
        return tuple(sorted(int(i) for i in rng.choice(k, size=size, replace=False)))

    choices = {
        "layout": lambda: int(rng.choice([1, 2])),
        "k": lambda: int(rng.integers(1, 13)),
        "n_covered": lambda: int(rng.integers(1, c["k"].value + 1)),
        "covered": subset,
        "spread": lambda: round(float(rng.uniform(0.1, 0.8)), 2),
        "spacing": lambda: round(float(rng.uniform(0.5, 4.0)), 2),
    }
    names = list(choices)
    for move in range(200):
        if rng.random() < 0.02:
            c[str(rng.choice(["fit_kl_forward", "fit_kl_reverse", "fit_js"]))].click()
        else:
            name = names[int(rng.integers(len(names)))]
            c[name].value = choices[name]()
        if not c["covered"].value:
            assert explorer.error  # shown, not raised
            c["covered"].value = (0,)
        assert explorer.error is None
        assert_state(explorer, full=move % 50 == 49)


def test_set_changes_several_controls_with_one_redraw():
    explorer = ModeCollapseExplorer()
    explorer.set(layout=1, k=5, covered=(0, 2), spacing=3.0)
    assert explorer.p_data.dim == 1 and explorer.controls["n_covered"].value == 2
    assert explorer.report.modes_covered == 2
    assert_state(explorer, full=True)
    with pytest.raises(ValueError, match="unknown control"):
        explorer.set(colour="red")


def test_display_shows_changes_made_before_it():
    explorer = ModeCollapseExplorer()
    explorer.set(covered=(0, 1, 2, 3, 4, 5, 6, 7))
    state = explorer.figure.get_state()["_widget_data"]
    bars = [t for t in state if t.get("name") == "divergences"]
    sent = bars[0]["y"]  # a numpy array travels as a binary buffer
    values = np.frombuffer(sent["buffer"], dtype=sent["dtype"]).reshape(sent["shape"])
    np.testing.assert_allclose(values[2], explorer.report.kl_g_data)
    assert explorer.report.kl_g_data == pytest.approx(0.0, abs=1e-3)


def test_a_fit_marks_its_button_and_greys_the_mode_selection_until_a_mode_control_moves():
    explorer = ModeCollapseExplorer()
    buttons = {d: explorer.controls[f"fit_{d}"] for d in ("kl_forward", "kl_reverse", "js")}
    assert all(b.button_style == "" for b in buttons.values())
    assert "<b>P_g</b> covers" in explorer._subset_heading.value
    explorer.fit("js")
    assert buttons["js"].button_style == "info"
    assert buttons["kl_forward"].button_style == buttons["kl_reverse"].button_style == ""
    assert "would cover" in explorer._subset_heading.value
    assert "Jensen" in explorer._fit_heading.value or "JS" in explorer._fit_heading.value
    explorer.controls["n_covered"].value = 2  # back to the selected modes
    assert explorer.fit_result is None
    assert all(b.button_style == "" for b in buttons.values())
    assert "<b>P_g</b> covers" in explorer._subset_heading.value
