"""The small base every explorer shares: controls + figures + a message line.

An explorer is an ``ipywidgets.VBox`` that

* keeps its controls in ``self.controls`` (name → widget),
* builds each ``plotly.graph_objects.FigureWidget`` once and afterwards only
  assigns trace data inside ``fig.batch_update()``,
* routes every control change through :meth:`ExplorerBase._guarded`, so a
  ``ValueError`` from the core (say, a covariance that is not positive
  definite) becomes a readable message in the widget instead of a traceback,
  and the figures keep their last valid state;
* draws with :class:`ganviz.widgets._figure.FigureWidget`, whose views always
  start from the *current* figure and share one copy of plotly.js per page.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

from ..plots._assign import is_widget
from ..plots._plotly_internals import refresh_widget_state

__all__ = ["ExplorerBase", "show_figure"]


def show_figure(box: widgets.Box, fig) -> None:
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


class ExplorerBase(widgets.VBox):
    """Base class for the ganviz explorers (subclasses end in ``Explorer``)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.controls: dict[str, widgets.Widget] = {}
        self.message = widgets.HTML(value="", layout=widgets.Layout(min_height="1.6em"))
        #: The last error shown, or ``None`` when the current controls are valid.
        self.error: str | None = None
        #: True while :meth:`_assign` sets several controls: callbacks then skip their redraw.
        self._suspended = False

    # -- display --------------------------------------------------------------------
    def _figure_widgets(self):
        """Every FigureWidget of the explorer (``.figures`` values and ``.figure``)."""
        figures = getattr(self, "figures", None)
        found = list(figures.values()) if isinstance(figures, dict) else []
        single = getattr(self, "figure", None)
        if single is not None and all(single is not f for f in found):
            found.append(single)
        return [f for f in found if is_widget(f)]

    # -- messages ---------------------------------------------------------------
    def show_error(self, text: str) -> None:
        self.error = text
        self.message.value = (
            f'<div style="color:#b00020;font-weight:600" role="alert">⚠ {html.escape(text)}</div>'
        )

    def clear_error(self) -> None:
        self.error = None
        self.message.value = ""

    def _guarded(self, update: Callable[[], None]) -> bool:
        """Run ``update``; show a ``ValueError`` as a message. Returns True on success."""
        try:
            update()
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        self.clear_error()
        return True

    # -- programmatic control ----------------------------------------------------
    def _check_settable(self, values) -> None:
        """Refuse names ``set(**values)`` cannot set: every control but the buttons is settable."""
        settable = [n for n, c in self.controls.items() if not isinstance(c, widgets.Button)]
        unknown = sorted(set(values) - set(settable))
        if unknown:
            raise ValueError(
                f"unknown control(s) {', '.join(unknown)}; allowed: {', '.join(settable)}"
            )

    def _assign(self, values: dict) -> None:
        """Set several controls, in order, while ``_suspended`` holds their callbacks' redraws.

        The caller redraws (or restarts) once afterwards.
        """
        self._suspended = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._suspended = False

    def observe_controls(self, callback: Callable[[], None], names=None) -> None:
        """Call ``callback`` (guarded) whenever one of the named controls changes value."""
        selected = self.controls if names is None else {n: self.controls[n] for n in names}
        for control in selected.values():
            control.observe(lambda _change: self._guarded(callback), names="value")
