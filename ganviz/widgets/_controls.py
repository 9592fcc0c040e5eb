"""Shared controls of the theory explorers: a panel that shapes one distribution.

A :class:`DistributionPanel` holds a family dropdown (Gaussian, mixture of
two Gaussians, uniform, and optionally the learner's own points) and the
parameters of each family, in 1-D or 2-D. Only the current family's
parameters are displayed; all of them live in ``panel.controls`` under
names prefixed with the panel's prefix (``"data_mean"``, ``"g_std"`` …), so an
explorer can merge them into its own ``controls``.

:meth:`DistributionPanel.distribution` builds the distribution; an invalid
combination (a uniform with low ≥ high, a singular covariance, mixture
weights that are all 0, unreadable points) raises ``ValueError`` with the
panel's name in the message, which the explorer shows instead of raising.
"""

from __future__ import annotations

import re

import ipywidgets as widgets
import numpy as np

from ..distributions import Distribution, Empirical, Gaussian, Mixture, Uniform
from ..plots import style

__all__ = [
    "FAMILIES",
    "DistributionPanel",
    "control_row",
    "float_slider",
    "format_points",
    "parse_points",
]

GAUSSIAN = "Gaussian"
MIXTURE = "Mixture of two Gaussians"
UNIFORM = "Uniform"
POINTS = "Your points"
#: Every family a panel can offer, in dropdown order.
FAMILIES = (GAUSSIAN, MIXTURE, UNIFORM, POINTS)

_SLIDER_LAYOUT = {"width": "320px"}
_SLIDER_STYLE = {"description_width": "90px"}


def float_slider(
    description: str,
    value: float,
    low: float,
    high: float,
    step: float,
    *,
    continuous: bool = True,
    fmt: str = ".2f",
) -> widgets.FloatSlider:
    """A compact FloatSlider; ``continuous`` updates while dragging (cheap views)."""
    return widgets.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        continuous_update=continuous,
        readout_format=fmt,
        layout=widgets.Layout(**_SLIDER_LAYOUT),
        style=_SLIDER_STYLE,
    )


def checkbox(value: bool, description: str) -> widgets.Checkbox:
    """A checkbox whose whole label shows (ipywidgets' default indents it and cuts it at
    300 px with "…")."""
    return widgets.Checkbox(
        value=bool(value),
        description=description,
        indent=False,
        layout=widgets.Layout(width="auto"),
    )


def beside(panel: widgets.Widget, *rest: widgets.Widget) -> widgets.HBox:
    """A control panel with plots beside it, the plots wrapping below on a narrow screen.

    The panel keeps its width (a squeezed column clips its sliders' values and
    labels, as a 1280-px laptop showed); whatever does not fit beside it moves
    to the next line instead of being cut off at the notebook's edge.
    """
    panel.layout.flex = "0 0 auto"
    panel.layout.margin = "0 12px 6px 0"
    return widgets.HBox([panel, *rest], layout=widgets.Layout(flex_flow="row wrap"))


def wrapping_row(*children: widgets.Widget) -> widgets.HBox:
    """Children side by side, wrapping onto the next line when the notebook is too narrow."""
    return widgets.HBox(list(children), layout=widgets.Layout(flex_flow="row wrap"))


def control_row(*columns: widgets.Widget) -> widgets.Box:
    """Columns of controls side by side, wrapping onto new lines in a narrow notebook.

    Explorers put this row above their figures, so the plots get the full
    width of the notebook whatever its size.
    """
    for column in columns:
        column.layout.width = "340px"
        column.layout.margin = "0 12px 6px 0"
    return widgets.Box(list(columns), layout=widgets.Layout(display="flex", flex_flow="row wrap"))


_NUMBER = re.compile(r"[-+−]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def parse_points(text: str, dim: int) -> np.ndarray:
    """Read points typed by a learner.

    1-D: numbers separated by commas, spaces or new lines (``"-1, 0.5, 2"``).
    2-D: one point per line, ``"x, y"`` (blank lines ignored). Returns shape
    ``(n,)`` or ``(n, 2)``; raises ``ValueError`` naming the line it cannot read.
    """
    if dim == 1:
        tokens = [t for t in re.split(r"[,;\s]+", text.strip()) if t]
        values = []
        for token in tokens:
            if not _NUMBER.fullmatch(token):
                raise ValueError(f"points: {token!r} is not a number (type e.g. -1, 0.5, 2)")
            values.append(float(token.replace("−", "-")))
        if not values:
            raise ValueError("points: type at least one number (e.g. -1, 0.5, 2)")
        return np.array(values)
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        tokens = [t for t in re.split(r"[,;\s]+", line.strip()) if t]
        if len(tokens) != 2 or not all(_NUMBER.fullmatch(t) for t in tokens):
            raise ValueError(f"points line {number}: expected two numbers 'x, y', got {line!r}")
        rows.append([float(t.replace("−", "-")) for t in tokens])
    if not rows:
        raise ValueError("points: add at least one point (click on the plot or type 'x, y')")
    return np.array(rows)


def format_points(points: np.ndarray) -> str:
    """The text a points box shows for ``points`` (inverse of :func:`parse_points`)."""
    pts = np.asarray(points, dtype=float)
    if pts.ndim == 1:
        return ", ".join(f"{v:.3g}" for v in pts)
    return "\n".join(f"{x:.3g}, {y:.3g}" for x, y in pts)


# Parameter specs: name -> (label, default, low, high, step). Defaults can be overridden.
_SPECS_1D = {
    GAUSSIAN: {
        "mean": ("mean μ", 0.0, -4.0, 4.0, 0.1),
        "std": ("std σ", 1.0, 0.05, 3.0, 0.05),
    },
    MIXTURE: {
        "mean1": ("mean μ₁", -1.5, -4.0, 4.0, 0.1),
        "std1": ("std σ₁", 0.5, 0.05, 3.0, 0.05),
        "mean2": ("mean μ₂", 1.5, -4.0, 4.0, 0.1),
        "std2": ("std σ₂", 0.5, 0.05, 3.0, 0.05),
        "weight1": ("weight w₁", 0.5, 0.0, 1.0, 0.05),
        "weight2": ("weight w₂", 0.5, 0.0, 1.0, 0.05),
    },
    UNIFORM: {
        "low": ("low a", -1.0, -6.0, 6.0, 0.1),
        "high": ("high b", 1.0, -6.0, 6.0, 0.1),
    },
    POINTS: {
        "bandwidth": ("bandwidth h", 0.0, 0.0, 2.0, 0.05),
    },
}
_SPECS_2D = {
    GAUSSIAN: {
        "mean_x": ("mean μx", 0.0, -4.0, 4.0, 0.1),
        "mean_y": ("mean μy", 0.0, -4.0, 4.0, 0.1),
        "std_x": ("std σx", 1.0, 0.1, 3.0, 0.05),
        "std_y": ("std σy", 1.0, 0.1, 3.0, 0.05),
        "rho": ("correlation ρ", 0.0, -1.0, 1.0, 0.05),
    },
    MIXTURE: {
        "mean1_x": ("μ₁ x", -1.5, -4.0, 4.0, 0.1),
        "mean1_y": ("μ₁ y", 0.0, -4.0, 4.0, 0.1),
        "std1": ("std σ₁", 0.5, 0.1, 3.0, 0.05),
        "mean2_x": ("μ₂ x", 1.5, -4.0, 4.0, 0.1),
        "mean2_y": ("μ₂ y", 0.0, -4.0, 4.0, 0.1),
        "std2": ("std σ₂", 0.5, 0.1, 3.0, 0.05),
        "weight1": ("weight w₁", 0.5, 0.0, 1.0, 0.05),
        "weight2": ("weight w₂", 0.5, 0.0, 1.0, 0.05),
    },
    UNIFORM: {
        "low_x": ("low x", -1.0, -6.0, 6.0, 0.1),
        "low_y": ("low y", -1.0, -6.0, 6.0, 0.1),
        "high_x": ("high x", 1.0, -6.0, 6.0, 0.1),
        "high_y": ("high y", 1.0, -6.0, 6.0, 0.1),
    },
    POINTS: {
        "bandwidth": ("bandwidth h", 0.0, 0.0, 2.0, 0.05),
    },
}

#: A few points to start from when a learner picks "Your points".
DEFAULT_POINTS = {
    1: np.array([-1.6, -1.2, -1.0, -0.3, 0.2, 0.4, 1.5, 1.7, 2.1]),
    2: np.array(
        [[-1.5, -1.0], [-1.2, -0.6], [-0.9, -1.2], [1.0, 1.2], [1.4, 0.9], [1.2, 1.6], [0.0, 0.2]]
    ),
}


class DistributionPanel(widgets.VBox):
    """Controls for one distribution: a family dropdown and that family's parameters.

    Parameters
    ----------
    prefix : str
        Prefix of the control names (``"data"`` → ``"data_family"``, ``"data_mean"`` …).
    label : str
        Name shown above the panel and in error messages (``"P_data"``).
    dim : 1 or 2
    families : sequence of str
        Families offered, from :data:`FAMILIES`.
    family : str
        Initial family.
    defaults : dict, optional
        Initial parameter values by short name (``{"mean": 2.0}``).
    colour : str
        Colour of the label (P_data blue, P_g orange).
    """

    def __init__(
        self,
        prefix: str,
        label: str,
        *,
        dim: int = 1,
        families=(GAUSSIAN, MIXTURE, UNIFORM),
        family: str = GAUSSIAN,
        defaults: dict | None = None,
        colour: str = style.DATA,
    ):
        if dim not in (1, 2):
            raise ValueError(f"dim must be 1 or 2, got {dim!r}")
        unknown = [f for f in families if f not in FAMILIES]
        if unknown or family not in families:
            raise ValueError(f"families must be among {FAMILIES} and include family={family!r}")
        self.prefix, self.label, self.dim = prefix, label, dim
        self.controls: dict[str, widgets.Widget] = {}
        family_box = widgets.Dropdown(
            options=list(families),
            value=family,
            description="family",
            layout=widgets.Layout(width="320px"),
            style=_SLIDER_STYLE,
        )
        self.controls[f"{prefix}_family"] = family_box
        specs = _SPECS_1D if dim == 1 else _SPECS_2D
        defaults = defaults or {}
        self._boxes: dict[str, widgets.VBox] = {}
        for fam in families:
            children = []
            for short, (text, value, low, high, step) in specs[fam].items():
                slider = float_slider(text, defaults.get(short, value), low, high, step)
                self.controls[f"{prefix}_{short}"] = slider
                children.append(slider)
            if fam == POINTS:
                children.insert(0, self._points_box(defaults.get("points")))
            self._boxes[fam] = widgets.VBox(children)
        title = widgets.HTML(f'<b style="color:{colour}">{label}</b>')
        super().__init__([title, family_box, *self._boxes.values()])
        self._show(family)
        family_box.observe(lambda change: self._show(change["new"]), names="value")

    def _points_box(self, points) -> widgets.Widget:
        text = format_points(DEFAULT_POINTS[self.dim] if points is None else points)
        if self.dim == 1:
            box = widgets.Text(
                value=text,
                description="points",
                placeholder="-1, 0.5, 2",
                continuous_update=False,
                layout=widgets.Layout(width="320px"),
                style=_SLIDER_STYLE,
            )
        else:
            box = widgets.Textarea(
                value=text,
                description="points x, y",
                placeholder="one point per line: x, y",
                continuous_update=False,
                layout=widgets.Layout(width="320px", height="110px"),
                style=_SLIDER_STYLE,
            )
        self.controls[f"{self.prefix}_points"] = box
        return box

    def _show(self, family: str) -> None:
        for fam, box in self._boxes.items():
            box.layout.display = "" if fam == family else "none"

    # -- reading the panel ----------------------------------------------------
    @property
    def family(self) -> str:
        return self.controls[f"{self.prefix}_family"].value

    def value(self, short: str):
        """Current value of the parameter ``short`` (``"mean"``, ``"std"`` …)."""
        return self.controls[f"{self.prefix}_{short}"].value

    def distribution(self) -> Distribution:
        """The distribution the panel describes; ``ValueError`` naming the panel if invalid."""
        try:
            return self._build()
        except ValueError as exc:
            raise ValueError(f"{self.label}: {exc}") from None

    def _build(self) -> Distribution:
        v, family = self.value, self.family
        if family == POINTS:
            points = parse_points(v("points"), self.dim)
            bandwidth = v("bandwidth")
            return Empirical(points, bandwidth=None if bandwidth <= 0 else bandwidth)
        if self.dim == 1:
            if family == GAUSSIAN:
                return Gaussian(v("mean"), v("std"))
            if family == MIXTURE:
                return Mixture(
                    [Gaussian(v("mean1"), v("std1")), Gaussian(v("mean2"), v("std2"))],
                    weights=[v("weight1"), v("weight2")],
                )
            return Uniform(v("low"), v("high"))
        if family == GAUSSIAN:
            sx, sy, rho = v("std_x"), v("std_y"), v("rho")
            cov = [[sx * sx, rho * sx * sy], [rho * sx * sy, sy * sy]]
            return Gaussian([v("mean_x"), v("mean_y")], cov=cov)
        if family == MIXTURE:
            return Mixture(
                [
                    Gaussian([v("mean1_x"), v("mean1_y")], std=v("std1")),
                    Gaussian([v("mean2_x"), v("mean2_y")], std=v("std2")),
                ],
                weights=[v("weight1"), v("weight2")],
            )
        return Uniform([v("low_x"), v("low_y")], [v("high_x"), v("high_y")])

    # -- the learner's points ---------------------------------------------------------
    def points(self) -> np.ndarray:
        """The points typed or clicked so far (``ValueError`` if the box cannot be read)."""
        return parse_points(self.value("points"), self.dim)

    def set_points_text(self, text: str) -> None:
        self.controls[f"{self.prefix}_points"].value = text
