"""Shared explorer behaviour: current figure state, shared plotly front end, messages."""

from __future__ import annotations

import json

import ipywidgets
import numpy as np
import plotly.graph_objects as go
import pytest
from traitlets import TraitError

import ganviz.widgets as widgets
from ganviz.widgets._base import ExplorerBase
from ganviz.widgets._figure import FigureWidget

THEORY = [
    "OptimalDiscriminatorExplorer",
    "DivergenceExplorer",
    "VanishingGradientExplorer",
    "ModeCollapseExplorer",
    "DynamicsExplorer",
]


def test_every_listed_explorer_resolves_and_is_named_explorer():
    assert len(widgets.__all__) >= 4
    for name in widgets.__all__:
        assert name.endswith("Explorer")
        assert getattr(widgets, name).__name__ == name


@pytest.mark.parametrize("name", THEORY)
def test_explorers_draw_with_the_classroom_figure_widget(name):
    explorer = getattr(widgets, name)()
    figures = explorer._figure_widgets()
    assert figures and all(isinstance(f, FigureWidget) for f in figures)


def test_a_new_view_starts_from_the_current_figure_not_the_built_one():
    fig = FigureWidget(go.Figure(go.Scatter(x=[0, 1], y=[1, 2])))
    with fig.batch_update():
        fig.data[0].y = [5, 6]
    state = fig.get_state()
    assert list(state["_widget_data"][0]["y"]) == [5, 6]
    # plain plotly keeps the construction-time state for new views (Voilà draws from it)
    plain = go.FigureWidget(go.Figure(go.Scatter(x=[0, 1], y=[1, 2])))
    with plain.batch_update():
        plain.data[0].y = [5, 6]
    assert list(plain.get_state()["_widget_data"][0]["y"]) == [1, 2]


def _page_reports(fig, **props) -> None:
    """What plotly's front end sends after a draw: the properties where the page differs
    from its copy of the figure (here, as if that copy were older than the kernel's)."""
    delta = {"uid": fig.data[0].uid, "type": "scatter", **props}
    fig._js2py_traceDeltas = {"trace_deltas": [delta], "trace_edit_id": fig._last_trace_edit_id}
    fig._js2py_layoutDelta = {
        "layout_delta": {"xaxis": {"range": [0, 1]}},
        "layout_edit_id": fig._last_layout_edit_id,
    }


def test_what_the_page_reports_back_never_strips_the_kernels_figure():
    """The root cause of plots drawn without their data (Voilà's notebook 01): plotly's kernel
    side deletes every property a page reports from the figure's own data, so the next full
    state it sends (Voilà, a redisplay) lacks them. ganviz's figure keeps them."""
    y = np.array([0.5, 0.5])
    plain = go.FigureWidget(go.Figure(go.Scatter(x=[0.0, 1.0], y=y, name="D = ½")))
    _page_reports(plain, y=[0.5, 0.5])
    assert "y" not in plain._data[0]  # plotly's own behaviour, which this guards against

    fig = FigureWidget(go.Figure(go.Scatter(x=[0.0, 1.0], y=y, name="D = ½")))
    fig.layout.xaxis.range = [-3, 3]
    _page_reports(fig, y=[0.5, 0.5])
    assert "y" in fig._data[0]
    state = fig.get_state()
    assert state["_widget_data"][0]["y"]["shape"] == (2,)
    assert list(fig.layout.xaxis.range) == [-3, 3]
    # the edits are acknowledged all the same (plotly's on_edits_completed callbacks run)
    assert not fig._trace_edit_in_process and not fig._layout_edit_in_process
    assert fig._js2py_traceDeltas is None and fig._js2py_layoutDelta is None


def test_a_batch_update_never_sends_a_trace_an_undefined_value_and_redraws_once():
    """plotly's batch_update sends each changed property for *every* trace of the batch,
    ``Undefined`` where a trace kept its value, and the page draws that as no value (Voilà's
    notebook 01: the D = ½ line lost its y). ganviz sends the kept value instead, in one
    update: one ``Plotly.update``, so one redraw of the figure per change."""
    fig = FigureWidget(
        go.Figure(
            [
                go.Scatter(x=[0.0, 1.0], y=[0.0, 1.0]),
                go.Scatter(x=[0.0, 1.0], y=[2.0, 2.0], marker={"size": 3}),
            ]
        )
    )
    sent = []
    fig.observe(lambda change: change["new"] and sent.append(change["new"]), "_py2js_update")
    with fig.batch_update():
        fig.data[0].x, fig.data[0].y = np.array([5.0, 6.0]), np.array([1.0, 1.0])
        fig.data[0].marker.color = "red"  # trace 1 has no marker colour: sent as unset (null)
        fig.data[1].x = np.array([7.0, 8.0])
        fig.layout.title.text = "moved"
    assert len(sent) == 1  # one message, one Plotly.update on the page
    (message,) = sent
    serialised = json.dumps(message, default=lambda v: np.asarray(v).tolist())
    assert "_undefined_" not in serialised and "Undefined" not in serialised
    assert message["style_traces"] == [0, 1]
    style = message["style_data"]
    np.testing.assert_array_equal(np.asarray(style["x"][0]), [5.0, 6.0])
    np.testing.assert_array_equal(np.asarray(style["x"][1]), [7.0, 8.0])
    np.testing.assert_array_equal(np.asarray(style["y"][0]), [1.0, 1.0])
    np.testing.assert_array_equal(np.asarray(style["y"][1]), [2.0, 2.0])  # kept, re-sent
    assert style["marker.color"] == ["red", None]
    assert message["layout_data"] == {"title.text": "moved"}
    assert list(fig.data[1].y) == [2.0, 2.0] and list(fig.data[1].x) == [7.0, 8.0]


def test_plotly_js_is_shipped_once_per_page_not_evaluated_per_figure():
    fig = FigureWidget()
    assert len(fig._esm) < 20_000  # a small loader, not the 5 MB bundle
    assert "globalThis[KEY]" in fig._esm and "initialize" in fig._esm
    # every kernel → browser message of plotly's widget is kept while the bundle loads
    import plotly.basewidget

    messages = {n for n in dir(plotly.basewidget.BaseFigureWidget) if n.startswith("_py2js_")}
    assert messages and all(f'"{name}"' in fig._esm for name in messages)
    # the bundle is in no model's state: the page imports it from the server's static route,
    # or asks the kernel's one shared library model for it (tests/widgets/test_figure.py)
    other = FigureWidget()
    assert fig._plotly_library is other._plotly_library
    assert len(str(fig._plotly_library.get_state())) < 2_000
    assert "_plotly_library" in fig.get_state() and len(str(fig.get_state())) < 200_000


def test_invalid_input_becomes_a_message_not_an_exception():
    explorer = widgets.OptimalDiscriminatorExplorer()

    def bad():
        raise ValueError("std must be a finite number > 0, got -1")

    assert explorer._guarded(bad) is False
    assert "std must be" in explorer.message.value and explorer.error
    assert explorer._guarded(lambda: None) is True
    assert explorer.message.value == "" and explorer.error is None


def test_every_ganviz_figure_gets_the_short_toolbar_without_the_logo():
    from ganviz.widgets._figure import PLOT_CONFIG, FigureWidget

    fig = FigureWidget(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])))
    assert fig._config["displaylogo"] is False
    assert "lasso2d" in fig._config["modeBarButtonsToRemove"]
    assert fig._config == PLOT_CONFIG


# -- the control protocol: set(), one hold, one redraw ------------------------------------


class _Counting(ExplorerBase):
    """The smallest explorer: four controls and a hook that records every refresh."""

    _SET_ORDER = ("k",)
    _READ_LIVE = frozenset({"speed"})

    def __init__(self):
        super().__init__()
        self.controls.update(
            width=ipywidgets.FloatSlider(value=1.0, min=0.0, max=5.0),
            k=ipywidgets.IntSlider(value=3, min=1, max=8),
            chosen=ipywidgets.SelectMultiple(options=[0, 1, 2], value=(0,)),
            speed=ipywidgets.IntSlider(value=10, min=1, max=100),
            go=ipywidgets.Button(description="go"),
        )
        self.refreshes: list[frozenset] = []
        self.assigned: list[str] = []
        for name, control in self.controls.items():
            control.observe(lambda _c, name=name: self.assigned.append(name), names="value")
        self.observe_controls()

    def _refresh(self, changed):
        if self.controls["width"].value > 4.0:
            raise ValueError("width must be ≤ 4")
        self.refreshes.append(changed)


def test_set_refuses_unknown_names_naming_them_and_the_valid_ones():
    explorer = _Counting()
    with pytest.raises(ValueError) as info:
        explorer.set(width=2.0, colour="red", go=True)
    message = str(info.value)
    assert "unknown control(s) colour, go" in message
    assert "allowed: width, k, chosen, speed" in message
    # nothing changed, nothing redrawn
    assert explorer.controls["width"].value == 1.0 and explorer.refreshes == []


def test_set_assigns_everything_under_one_hold_and_refreshes_once():
    explorer = _Counting()
    explorer.set(chosen=[1, 2], width=2.5, k=5)
    assert explorer.refreshes == [frozenset({"chosen", "width", "k"})]
    assert explorer.controls["chosen"].value == (1, 2)  # a list becomes the widget's tuple
    assert explorer.controls["width"].value == 2.5 and explorer.controls["k"].value == 5
    assert explorer.assigned == ["k", "chosen", "width"]  # _SET_ORDER first, then as given
    assert not explorer._suspended


def test_a_control_moved_by_hand_refreshes_once_naming_itself():
    explorer = _Counting()
    explorer.controls["k"].value = 6
    explorer.controls["width"].value = 0.5
    assert explorer.refreshes == [frozenset({"k"}), frozenset({"width"})]


def test_no_refresh_while_redraws_are_held_even_nested():
    explorer = _Counting()
    with explorer._hold_redraw():
        explorer.controls["k"].value = 2
        with explorer._hold_redraw():
            explorer.controls["width"].value = 3.0
        assert explorer._suspended  # the inner hold does not release the outer one
        explorer.controls["k"].value = 4
    assert explorer.refreshes == [] and not explorer._suspended
    explorer.controls["k"].value = 5
    assert explorer.refreshes == [frozenset({"k"})]


def test_a_control_read_live_is_set_without_a_refresh():
    explorer = _Counting()
    explorer.set(speed=50)
    explorer.controls["speed"].value = 60
    assert explorer.refreshes == [] and explorer.controls["speed"].value == 60
    explorer.set(speed=70, k=2)
    assert explorer.refreshes == [frozenset({"k"})]


def test_an_invalid_set_shows_its_message_and_a_later_valid_one_clears_it():
    explorer = _Counting()
    explorer.set(width=4.5)
    assert explorer.error == "width must be ≤ 4" and explorer.refreshes == []
    explorer.set(width=2.0)
    assert explorer.error is None and explorer.refreshes == [frozenset({"width"})]


def test_a_refused_value_still_leaves_the_figures_matching_the_controls():
    explorer = _Counting()
    with pytest.raises(TraitError):
        explorer.set(k=4, chosen=(7,))
    assert explorer.controls["k"].value == 4
    assert explorer.refreshes == [frozenset({"k", "chosen"})] and not explorer._suspended


SET_ONCE = [
    ("OptimalDiscriminatorExplorer", {"data_mean": 1.0, "g_std": 1.2, "shift": 1.5}),
    ("DivergenceExplorer", {"data_std": 0.8, "g_mean": 0.5, "shift": 1.0}),
    ("VanishingGradientExplorer", {"separation": 8.0, "fake_spread": 0.5, "view": 2}),
    ("ModeCollapseExplorer", {"layout": 1, "k": 5, "covered": (0, 2)}),
    ("DynamicsExplorer", {"method": "alternating", "step_size": 0.5, "theta0": 0.5}),
    ("DivergenceFitExplorer", {"modes": 3, "separation": 6.0, "landscape": "kl_reverse"}),
]


def _count_refreshes(explorer) -> list:
    calls = []
    hook = explorer._refresh

    def counting(changed):
        calls.append(changed)
        hook(changed)

    explorer._refresh = counting
    return calls


@pytest.mark.parametrize(("name", "values"), SET_ONCE, ids=[n for n, _ in SET_ONCE])
def test_every_theory_explorer_redraws_once_per_set(name, values):
    explorer = getattr(widgets, name)()
    calls = _count_refreshes(explorer)
    explorer.set(**values)
    assert calls == [frozenset(values)] and explorer.error is None
    for key, value in values.items():
        assert explorer.controls[key].value == value


def test_moving_k_by_hand_moves_the_linked_controls_and_redraws_once():
    explorer = widgets.ModeCollapseExplorer(k=8, n_covered=3)
    calls = _count_refreshes(explorer)
    explorer.controls["k"].value = 2
    assert calls == [frozenset({"k"})]
    assert explorer.controls["covered"].value == (0, 1)
    assert explorer.controls["n_covered"].value == 2
    assert len(explorer.p_data.components) == 2 and len(explorer.p_g.components) == 2


def test_set_resolves_old_loss_spellings_and_names_the_losses_a_control_offers():
    from ganviz.widgets import OptimalDiscriminatorExplorer, VanishingGradientExplorer

    explorer = OptimalDiscriminatorExplorer(dim=2)
    explorer.set(loss="wasserstein")
    assert explorer.controls["loss"].value == "wgan"
    gradients = VanishingGradientExplorer()
    gradients.set(arrows="ns")
    assert gradients.controls["arrows"].value == "nonsaturating"
    offered = r"loss must be one of minimax, nonsaturating, wgan \(also"
    with pytest.raises(ValueError, match=offered):
        explorer.set(loss="wgan-gp")  # a trainer loss the theory arrows do not draw


def test_narrow_dashboard_panels_get_a_vertical_toolbar_and_wide_figures_keep_the_default():
    from ganviz.widgets._figure import NARROW_PX, FigureWidget

    narrow = FigureWidget(go.Figure(layout={"width": NARROW_PX}))
    wide = FigureWidget(go.Figure(layout={"width": NARROW_PX + 1}))
    responsive = FigureWidget(go.Figure())
    assert narrow.layout.modebar.orientation == "v"
    assert wide.layout.modebar.orientation is None and responsive.layout.modebar.orientation is None


@pytest.mark.parametrize(
    "make, control, value",
    [
        (lambda: widgets.OptimalDiscriminatorExplorer(), "shift", 1.3),
        (lambda: widgets.OptimalDiscriminatorExplorer(dim=2), "shift_x", 1.3),
        (lambda: widgets.VanishingGradientExplorer(), "separation", 5.5),
        (lambda: widgets.ModeCollapseExplorer(), "n_covered", 4),
    ],
)
def test_a_control_move_sends_each_changed_figure_one_message_so_the_page_redraws_it_once(
    make, control, value
):
    explorer = make()
    figures = {id(f): f for f in explorer._figure_widgets()}.values()
    sent: list[str] = []
    for fig in figures:
        for trait in ("_py2js_update", "_py2js_restyle", "_py2js_relayout"):
            fig.observe(lambda c, fig=fig, t=trait: c["new"] and sent.append((id(fig), t)), trait)
    explorer.controls[control].value = value
    assert sent, "the move changed nothing"
    assert all(trait == "_py2js_update" for _, trait in sent), sent
    assert len(sent) == len({fig for fig, _ in sent})  # one message per figure


def test_the_short_toolbar_is_in_the_state_the_widget_opens_with(monkeypatch):
    """Not a later update: a page that builds plotly's model from the first state (the
    front end does while plotly.js loads) would miss it and draw plotly's long toolbar."""
    from ganviz.widgets._figure import PLOT_CONFIG, FigureWidget

    opened = []
    original = ipywidgets.Widget.open

    def open_and_record(self):
        original(self)
        if isinstance(self, FigureWidget):
            opened.append(self.get_state()["_config"])

    monkeypatch.setattr(ipywidgets.Widget, "open", open_and_record)
    fig = FigureWidget(go.Figure())
    assert opened == [PLOT_CONFIG]
    sent = []
    fig.observe(lambda change: sent.append(change), "_config")
    fig._config = {}  # what plotly's BaseFigure assigns: the toolbar config stays
    assert fig._config == PLOT_CONFIG and sent == []
