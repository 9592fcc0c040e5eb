"""Shared explorer behaviour: current figure state, shared plotly front end, messages."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

import ganviz.widgets as widgets
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


def test_plotly_js_is_shipped_once_per_page_not_evaluated_per_figure():
    fig = FigureWidget()
    assert len(fig._esm) < 5_000  # a small loader, not the 5 MB bundle
    assert "globalThis[KEY]" in fig._esm and "initialize" in fig._esm
    # every kernel → browser message of plotly's widget is kept while the bundle loads
    import plotly.basewidget

    messages = {n for n in dir(plotly.basewidget.BaseFigureWidget) if n.startswith("_py2js_")}
    assert messages and all(f'"{name}"' in fig._esm for name in messages)
    assert len(fig._plotly_bundle) > 1_000_000  # the bundle it imports once


def test_invalid_input_becomes_a_message_not_an_exception():
    explorer = widgets.OptimalDiscriminatorExplorer()

    def bad():
        raise ValueError("std must be a finite number > 0, got -1")

    assert explorer._guarded(bad) is False
    assert "std must be" in explorer.message.value and explorer.error
    assert explorer._guarded(lambda: None) is True
    assert explorer.message.value == "" and explorer.error is None
