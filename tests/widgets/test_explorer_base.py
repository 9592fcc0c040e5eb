"""Shared explorer behaviour: every explorer displays with its current figures."""

from __future__ import annotations

import pytest

import ganviz.widgets as widgets

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
def test_display_sends_the_current_state_of_every_figure(name):
    explorer = getattr(widgets, name)()
    for fig in explorer._figure_widgets():
        # simulate what a change before display leaves behind: stale widget state
        fig._widget_data = []
    explorer._repr_mimebundle_()
    for fig in explorer._figure_widgets():
        assert len(fig._widget_data) == len(fig.data) > 0
        for sent, trace in zip(fig._widget_data, fig.data, strict=True):
            assert sent["type"] == trace.type


def test_invalid_input_becomes_a_message_not_an_exception():
    explorer = widgets.OptimalDiscriminatorExplorer()

    def bad():
        raise ValueError("std must be a finite number > 0, got -1")

    assert explorer._guarded(bad) is False
    assert "std must be" in explorer.message.value and explorer.error
    assert explorer._guarded(lambda: None) is True
    assert explorer.message.value == "" and explorer.error is None
