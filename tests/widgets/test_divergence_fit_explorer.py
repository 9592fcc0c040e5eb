"""DivergenceFitExplorer, headless: controls change the traces to what the core computes."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go
import pytest
from plotkit import trace

import ganviz as gv
from ganviz import f_divergences as fd
from ganviz.plots.divergence_fit import fit_trace_name
from ganviz.widgets import DivergenceFitExplorer


def assert_drawn(e: DivergenceFitExplorer):
    """Every trace equals a fresh core computation from the controls."""
    c = e.controls
    p_data = fd.mixture_of_modes(
        c["modes"].value, c["separation"].value, c["weight"].value, c["width"].value
    )
    assert repr(e.p_data) == repr(p_data)
    land = fd.divergence_landscape(p_data)
    fig, objective = e.figure, c["landscape"].value
    x = np.asarray(trace(fig, "p_data").x)
    np.testing.assert_allclose(trace(fig, "p_data").y, p_data.pdf(x), atol=1e-12)
    for name in fd.OBJECTIVES:
        fit = land.minima[name]
        assert e.fits[name].mean == pytest.approx(fit.mean, abs=1e-12)
        np.testing.assert_allclose(trace(fig, fit_trace_name(name)).y, fit.pdf(x), atol=1e-12)
    z = np.asarray(trace(fig, "landscape").z, dtype=float)
    expected = land.values[objective]
    np.testing.assert_allclose(z, np.where(np.isinf(expected), np.nan, expected), atol=1e-12)
    star = trace(fig, "minimum")
    assert star.x[0] == pytest.approx(land.minima[objective].mean, abs=1e-12)
    assert star.y[0] == pytest.approx(land.minima[objective].std, abs=1e-12)
    assert fd.OBJECTIVE_LABELS[objective] in fig.layout.title.text
    assert "font-weight:700" in e.table.value
    for t in fig._data:  # a live kernel sends 1-D arrays as contiguous buffers
        for key, value in t.items():
            if isinstance(value, np.ndarray) and value.ndim == 1:
                assert value.flags["C_CONTIGUOUS"], (t.get("name"), key)


def test_builds_with_no_arguments_in_the_documented_default_state():
    e = DivergenceFitExplorer()
    assert isinstance(e, widgets.VBox) and isinstance(e.figure, go.FigureWidget)
    assert set(e.controls) == {"modes", "separation", "weight", "width", "landscape"}
    c = e.controls
    assert (c["modes"].value, c["separation"].value, c["weight"].value, c["width"].value) == (
        2,
        3.5,
        0.6,
        0.5,
    )
    assert c["landscape"].value == "js" and e.error is None
    # the notebook's text: JS, reverse KL, non-saturating and LSGAN seek the left mode …
    for name in ("kl_reverse", "js", "nonsaturating", "lsgan"):
        assert e.fits[name].mean == pytest.approx(-1.75, abs=0.05)
    # … forward KL (= moment matching), Pearson χ², Hellinger and W1 cover both
    assert e.fits["kl_forward"].mean == pytest.approx(e.p_data.mean, abs=0.02)
    assert e.fits["kl_forward"].std == pytest.approx(np.sqrt(e.p_data.covariance), rel=0.01)
    for name in ("pearson", "hellinger", "w1"):
        assert e.fits[name].std > 1.5
    assert_drawn(e)


def test_data_sliders_redraw_everything_from_the_core():
    e = DivergenceFitExplorer()
    e.controls["separation"].value = 6.0
    assert_drawn(e)
    e.controls["weight"].value = 0.3
    assert_drawn(e)
    # the heavier mode is now the right one: reverse KL moves there
    assert e.fits["kl_reverse"].mean == pytest.approx(3.0, abs=0.05)
    e.controls["width"].value = 0.8
    e.controls["modes"].value = 3
    assert_drawn(e)
    assert len(trace(e.figure, "P_data modes").x) == 3


def test_landscape_dropdown_swaps_the_picture_without_recomputing():
    e = DivergenceFitExplorer()
    before = e.landscape
    for objective in ("kl_reverse", "pearson", "w1"):
        e.controls["landscape"].value = objective
        assert e.landscape is before and e.drawn_objective == objective
        assert_drawn(e)
        width = {n: trace(e.figure, fit_trace_name(n)).line.width for n in fd.OBJECTIVES}
        assert width[objective] == max(width.values())


def test_set_changes_several_controls_with_one_redraw():
    e = DivergenceFitExplorer()
    e.set(modes=3, separation=7.0, weight=0.5, landscape="kl_forward")
    assert e.error is None
    assert_drawn(e)
    star = trace(e.figure, "minimum")
    assert star.x[0] == pytest.approx(e.p_data.mean, abs=0.02)  # forward KL: moment matching
    with pytest.raises(ValueError, match="unknown control"):
        e.set(shift=1.0)


def test_the_fit_table_lists_every_objective_with_its_gan_loss():
    e = DivergenceFitExplorer()
    for name in fd.OBJECTIVES:
        assert fd.OBJECTIVE_LABELS[name].split(" (")[0] in e.table.value
    assert "maximum likelihood" in e.table.value and "LSGAN" in e.table.value
    assert f"{e.fits['js'].std:.2f}" in e.table.value


def test_fits_equal_scipy_fits_of_the_same_objective():
    e = DivergenceFitExplorer()
    for name in ("kl_reverse", "hellinger"):
        fit = fd.fit_divergence(e.p_data, name)
        assert e.landscape.minimum_values[name] == pytest.approx(fit.value, rel=1e-3, abs=1e-5)
        assert e.fits[name].mean == pytest.approx(fit.gaussian.mean, abs=0.03)
    assert gv.js_divergence(e.p_data, e.fits["js"]) == pytest.approx(
        e.landscape.minimum_values["js"], rel=1e-6
    )


def test_the_notebooks_try_this_prompts_hold():
    e = DivergenceFitExplorer()
    e.set(weight=0.5)  # 2: equal modes, JS covers, reverse KL still picks a mode
    assert abs(e.fits["js"].mean) < 0.05 and e.fits["js"].std > 1.5
    assert abs(abs(e.fits["kl_reverse"].mean) - 1.75) < 0.05
    e.set(weight=0.6, separation=2.5)  # 3: JS and LSGAN cover, reverse KL / non-saturating seek
    assert e.fits["js"].std > 1.0 and e.fits["lsgan"].std > 1.0
    assert e.fits["kl_reverse"].std < 0.6 and e.fits["nonsaturating"].std < 0.6
    e.set(separation=5.0)  # … and at 5 Hellinger seeks too
    assert e.fits["hellinger"].mean == pytest.approx(-2.5, abs=0.05)
    for name in ("kl_forward", "pearson", "w1"):
        assert e.fits[name].std > 2.0
    e.set(modes=3, separation=7.0, weight=0.3)  # 6: three modes, the middle one for the seekers
    for name in ("kl_reverse", "nonsaturating"):
        assert abs(e.fits[name].mean) < 0.05 and e.fits[name].std < 0.6
    for name in ("js", "lsgan", "hellinger"):
        assert e.fits[name].std > 2.0
