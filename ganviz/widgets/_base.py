"""The small base every explorer shares: controls + figures + a message line.

An explorer is an ``ipywidgets.VBox`` that

* keeps its controls in ``self.controls`` (name → widget),
* builds each ``plotly.graph_objects.FigureWidget`` once and afterwards only
  assigns trace data inside ``fig.batch_update()``,
* routes every control change through :meth:`ExplorerBase._guarded`, so a
  ``ValueError`` from the core (say, a covariance that is not positive
  definite) becomes a readable message in the widget instead of a traceback,
  and the figures keep their last valid state;
* shares one control protocol: :meth:`ExplorerBase.set` checks the names,
  sets every value inside one :meth:`ExplorerBase._hold_redraw` and redraws
  once; a control moved by hand reaches the same hook through
  :meth:`ExplorerBase._on_change`. An explorer only overrides
  :meth:`ExplorerBase._refresh` (recompute and draw), and says which controls
  go first (``_SET_ORDER``) or are read live outside the protocol (``_READ_LIVE``);
* draws with :class:`ganviz.widgets._figure.FigureWidget`, whose views always
  start from the *current* figure and share one copy of plotly.js per page.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import ipywidgets as widgets

from ..losses import canonical_loss
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
        #: True inside :meth:`_hold_redraw`: control changes then skip their redraw.
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

    # -- the control protocol ------------------------------------------------------
    #: Names :meth:`set` assigns first, in this order (a control that decides which values
    #: another accepts, such as a mode count before the chosen modes); the others follow
    #: in the caller's order.
    _SET_ORDER: tuple[str, ...] = ()
    #: Controls the explorer reads when it needs them (a running loop's speed), outside
    #: the redraw protocol: changing one redraws nothing.
    _READ_LIVE: frozenset[str] = frozenset()
    #: Controls whose values are loss names: ``set()`` resolves aliases (ganviz.losses).
    _LOSS_CONTROLS: frozenset[str] = frozenset()

    def _settable(self) -> list[str]:
        """Names :meth:`set` accepts: every control but the buttons, in ``controls`` order."""
        return [n for n, c in self.controls.items() if not isinstance(c, widgets.Button)]

    def _check_settable(self, values) -> None:
        """Refuse names ``set(**values)`` cannot set, naming them and the valid ones."""
        settable = self._settable()
        unknown = sorted(set(values) - set(settable))
        if unknown:
            raise ValueError(
                f"unknown control(s) {', '.join(unknown)}; allowed: {', '.join(settable)}"
            )

    @contextmanager
    def _hold_redraw(self) -> Iterator[None]:
        """Hold every control's redraw while several controls change (nests).

        Inside, :meth:`_on_change` skips the hook; whoever holds redraws once afterwards.
        """
        outer = not self._suspended
        self._suspended = True
        try:
            yield
        finally:
            if outer:
                self._suspended = False

    def set(self, **values) -> None:
        """Set several controls at once (names as in ``.controls``), then redraw once.

        Every value is assigned inside one :meth:`_hold_redraw`; then
        :meth:`_refresh` runs once, guarded: an invalid combination shows its
        message, as a slider move would. Unknown names raise ``ValueError``
        before anything changes.

        >>> explorer.set(data_family="Uniform", data_low=-1, data_high=1)  # doctest: +SKIP
        """
        self._check_settable(values)
        first = [n for n in self._SET_ORDER if n in values]
        order = first + [n for n in values if n not in first]
        try:
            with self._hold_redraw():
                for name in order:
                    control, value = self.controls[name], values[name]
                    if name in self._LOSS_CONTROLS:  # old spellings ("wasserstein") too
                        offered = [o[1] if isinstance(o, tuple) else o for o in control.options]
                        value = (
                            canonical_loss(value, offered, argument=name)
                            if isinstance(value, str)
                            else tuple(canonical_loss(v, offered, argument=name) for v in value)
                        )
                    if isinstance(control, widgets.SelectMultiple):
                        value = tuple(value)  # a list or any iterable of the options
                    control.value = value
        finally:
            # Also after a refused value: the figures then show the controls as they are.
            changed = frozenset(values) - self._READ_LIVE
            if changed:
                self._guarded(lambda: self._refresh(changed))

    def _on_change(self, name: str) -> None:
        """A control moved (by hand or by code): refresh, unless redraws are held."""
        if not self._suspended:
            self._guarded(lambda: self._refresh(frozenset((name,))))

    def _refresh(self, changed: frozenset[str]) -> None:
        """Recompute from the controls and draw; ``changed`` names the controls that moved.

        The hook an explorer overrides when it redraws part of its figures for
        some controls or restarts a run; by default the explorer's ``update()``
        (recompute everything). Raises ``ValueError`` for an invalid setting.
        """
        self.update()

    def observe_controls(self, names=None) -> None:
        """Route changes of the named controls (default: every settable control not read
        live) to :meth:`_on_change`."""
        if names is None:
            names = [n for n in self._settable() if n not in self._READ_LIVE]
        for name in names:
            self.controls[name].observe(
                lambda _change, name=name: self._on_change(name), names="value"
            )
