"""Stacking figures into one FigureWidget, and refreshing each band with its own updater."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

import ganviz as gv
from ganviz.plots._compose import panel, stack, stacked_figure
from ganviz.plots._plotly_internals import refresh_widget_state
from ganviz.plots.gradients import (
    generator_loss_figure,
    marker_trace_name,
    sample_arrows_figure,
    update_sample_arrows_figure,
    update_vanishing_gradient_figure,
    vanishing_gradient_figure,
)


def figures(**at):
    """Three builders' figures; with ``fig=`` each draws into its row of it instead."""
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(4, 1)
    rows = {"gradients": 1, "losses": 2, "arrows": 3}

    def where(name):
        return {"row": rows[name], **at} if at else {}

    return {
        "gradients": vanishing_gradient_figure(
            data, fake, np.linspace(0.5, 10, 12), height=300, **where("gradients")
        ),
        "losses": generator_loss_figure([0.1, 0.4], height=320, **where("losses")),
        "arrows": sample_arrows_figure(data, fake, n_fakes=6, n=50, height=360, **where("arrows")),
    }


def without_uids(fig) -> str:
    figure = fig.to_plotly_json()
    for trace in figure["data"]:
        trace.pop("uid", None)
    return go.Figure(figure).to_json()


def test_stack_keeps_every_trace_and_gives_each_band_its_axes():
    sources = figures()
    combined, bands = stack(sources)
    assert len(combined.data) == sum(len(f.data) for f in sources.values())
    assert combined.layout.height == 300 + 320 + 360 + 2 * 10
    # bands top to bottom, axes renamed, y domains inside each band, no overlap
    domains = [bands[name].domain for name in sources]
    assert domains[0][0] > domains[1][1] and domains[1][0] > domains[2][1]
    for row, (name, source) in enumerate(sources.items(), start=1):
        band = bands[name]
        view = panel(combined, row)
        assert view.band == band  # the figure carries its bands (layout.meta)
        assert [t.name for t in view.data] == [t.name for t in source.data]
        for old, new in band.axes.items():
            if old.startswith("y") and combined.layout[new].overlaying is None:
                lo, hi = combined.layout[new].domain
                assert band.domain[0] - 1e-12 <= lo < hi <= band.domain[1] + 1e-12
        for trace, original in zip(view.data, source.data, strict=True):
            np.testing.assert_array_equal(
                np.asarray(trace.y, dtype=float), np.asarray(original.y, dtype=float)
            )
            x_key = "xaxis" + (trace.xaxis or "x")[1:]
            assert x_key in band.axes.values()
    # overlaying and anchoring follow the renaming (the arrows' D* axis overlays its density axis)
    arrows = bands["arrows"]
    overlay = combined.layout[arrows.axes["yaxis2"]]
    assert overlay.overlaying == "y" + arrows.axes["yaxis"][5:]
    assert bands["gradients"].legend == "legend" and bands["arrows"].legend == "legend3"


def test_updaters_refresh_a_band_addressed_by_row():
    combined, bands = stack(figures())
    widget = go.FigureWidget(combined)  # a widget made from the figure knows its bands
    gradients = panel(widget, 1)
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(7, 1)
    update_vanishing_gradient_figure(widget, data, fake, np.linspace(0.5, 10, 12), row=1)
    now = next(t for t in gradients.data if t.name == marker_trace_name("minimax"))
    assert now.x[0] == pytest.approx(7.0)
    assert now.y[0] == pytest.approx(abs(gv.generator_gradient(data, fake, "minimax")), rel=1e-9)
    assert gradients.layout.shapes[0].x0 == pytest.approx(7.0)
    assert widget.layout[bands["gradients"].axes["yaxis"]].type == "log"
    arrows = panel(widget, 3, 1)
    update_sample_arrows_figure(widget, data, fake, [6.5, 7.5], arrow_scale=1.0, row=3, col=1)
    assert list(next(t for t in arrows.data if t.name == "fake").x) == [6.5, 7.5]
    assert gradients.layout.meta["losses"] == list(gv.LOSSES)
    assert gradients.layout.title.text.startswith("|generator gradient|")


def test_a_panel_is_addressed_by_row_and_col_or_is_the_whole_figure():
    combined, bands = stack(figures())
    assert panel(combined, 2).path("yaxis2.range") == bands["losses"].axes["yaxis2"] + ".range"
    assert panel(combined, 1).path("shapes[0].x0") == f"shapes[{bands['gradients'].shapes[0]}].x0"
    assert panel(combined, 3).meta["losses"] == list(gv.LOSSES)
    alone = figures()["gradients"]
    whole = panel(alone)
    assert whole.data == alone.data and whole.path("yaxis.range") == "yaxis.range"
    for row, col in ((0, 1), (4, 1), (1, 2), (True, 1)):
        with pytest.raises(ValueError, match=r"row must|col must"):
            panel(combined, row, col)
    with pytest.raises(ValueError, match="stack"):
        panel(alone, 1)  # a figure without bands has no rows
    with pytest.raises(ValueError, match="no counterpart"):
        panel(combined, 1).path("yaxis3.range")


def test_builders_draw_into_a_stacked_figure_as_stack_does():
    stacked, _ = stack(figures(), title="three panels")
    fig = stacked_figure(rows=3, title="three panels")
    drawn = figures(fig=fig)
    assert all(returned is fig for returned in drawn.values())
    assert without_uids(fig) == without_uids(stacked)


def test_each_band_is_as_tall_as_its_figure_whatever_the_drawing_order():
    fig = stacked_figure(rows=3, heights=[200, 250, 300])
    assert fig.layout.height == 200 + 250 + 300 + 2 * 10
    data = gv.Gaussian(0, 1)
    sample_arrows_figure(data, gv.Gaussian(4, 1), n_fakes=6, n=50, height=360, fig=fig, row=3)
    generator_loss_figure([0.1, 0.4], height=320, fig=fig, row=2)
    assert fig.layout.height == 200 + 320 + 360 + 2 * 10  # row 1 keeps its room
    with pytest.raises(ValueError, match="no figure yet"):
        panel(fig, 1)
    vanishing_gradient_figure(
        data, gv.Gaussian(4, 1), np.linspace(0.5, 10, 12), height=300, fig=fig, row=1
    )
    total = 300 + 320 + 360 + 2 * 10
    assert fig.layout.height == total
    # the plot area of a band: its height less the title and top legend (48 + 52 px), the
    # x-axis title (52 px) and, for a legend below (the losses), 52 + 20 px more
    plot_px = {1: 300 - 100 - 52, 2: 320 - 70 - 124, 3: 360 - 100 - 52}
    tops = {1: total, 2: total - 310, 3: total - 640}
    for row, px in plot_px.items():
        lo, hi = panel(fig, row).band.domain
        assert (hi - lo) * total == pytest.approx(px)
        header = 100 if row != 2 else 70
        assert hi * total == pytest.approx(tops[row] - header)
    # the band's own axes, shapes and title sit inside it, legends above or below it
    gradients = panel(fig, 1)
    lo, hi = gradients.band.domain
    assert list(gradients.layout.yaxis.domain) == pytest.approx([lo, hi])
    assert fig.layout.annotations[gradients.band.title].y == pytest.approx((total - 6) / total)
    losses = panel(fig, 2)
    assert fig.layout[losses.band.legend].y < losses.band.domain[0]
    arrows = panel(fig, 3)
    assert fig.layout[arrows.band.legend].y > arrows.band.domain[1]


def test_drawing_into_a_stacked_figure_checks_where():
    fig = stacked_figure(rows=2)
    data, fake = gv.Gaussian(0, 1), gv.Gaussian(4, 1)
    with pytest.raises(ValueError, match="col must be 1"):
        generator_loss_figure([0.2], fig=fig, row=1, col=2)
    with pytest.raises(ValueError, match="row must"):
        generator_loss_figure([0.2], fig=fig, row=3)
    with pytest.raises(ValueError, match="fig="):
        generator_loss_figure([0.2], row=1)
    with pytest.raises(ValueError, match="stack"):
        generator_loss_figure([0.2], fig=go.Figure(), row=1)
    sample_arrows_figure(data, fake, n_fakes=3, fig=fig, row=1, col=1)
    with pytest.raises(ValueError, match="already holds"):
        generator_loss_figure([0.2], fig=fig, row=1)
    for rows in (0, 1.5, True):
        with pytest.raises(ValueError, match="rows must"):
            stacked_figure(rows=rows)
    with pytest.raises(ValueError, match="heights"):
        stacked_figure(rows=2, heights=[300])


def test_refresh_widget_state_copies_the_current_traces():
    widget = go.FigureWidget(go.Figure(go.Scatter(x=[0.0], y=[0.0], name="a")))
    widget.data[0].x = [1.0, 2.0]
    assert list(widget._widget_data[0]["x"]) == [0.0]
    refresh_widget_state(widget)
    assert list(widget._widget_data[0]["x"]) == [1.0, 2.0]


def test_batched_edits_land_together_and_are_dropped_on_error():
    from ganviz.plots._assign import assign, batched, relayout

    widget = go.FigureWidget(go.Figure([go.Scatter(x=[0.0], y=[0.0]), go.Scatter(x=[1.0])]))
    with batched(widget):
        assign(widget.data[0], {"x": np.array([5.0, 6.0]), "marker.size": np.array([1.0, 2.0])})
        assign(widget.data[1], {"x": np.array([7.0])})
        relayout(widget, {"xaxis.range": [0, 10]})
        assert list(widget.data[0].x) == [0.0]  # nothing sent before the block ends
    assert list(widget.data[0].x) == [5.0, 6.0] and list(widget.data[1].x) == [7.0]
    assert list(widget.data[0].marker.size) == [1.0, 2.0]
    assert list(widget.layout.xaxis.range) == [0, 10]
    with pytest.raises(ValueError), batched(widget):
        assign(widget.data[0], {"x": np.array([9.0])})
        raise ValueError("an invalid setting")
    assert list(widget.data[0].x) == [5.0, 6.0]  # the last valid state is kept
