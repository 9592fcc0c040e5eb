"""Display an explorer with figures that show its current state.

A plotly ``FigureWidget`` copies its traces and layout into the state the
browser first renders from only when it is displayed *itself* (its own
``_repr_mimebundle_``). Nested in an explorer's boxes it is not, so changes
made between construction and display — ``explorer.set(...)`` in the same
cell, or a second display of an explorer already used — would be missing
from the first render. This mixin refreshes that state, as plotly does,
whenever the explorer is displayed.
"""

from __future__ import annotations

from ..plots._compose import refresh_widget_state

__all__ = ["FreshFigures", "show_figure"]


class FreshFigures:
    """Mixin for explorers holding their FigureWidgets in ``self.figures`` (a dict)."""

    def _repr_mimebundle_(self, **kwargs):
        for fig in self.figures.values():
            refresh_widget_state(fig)
        return super()._repr_mimebundle_(**kwargs)


def show_figure(box, fig) -> None:
    """Make ``fig`` the only child of ``box`` (a no-op when it already is), current at first render.

    Goes through an empty tuple: assigning ``(new,)`` over ``(old,)`` makes
    traitlets compare the two FigureWidgets, which plotly does by serialising
    both (tens of milliseconds).
    """
    if box.children and box.children[0] is fig:
        return
    refresh_widget_state(fig)
    box.children = ()
    box.children = (fig,)
