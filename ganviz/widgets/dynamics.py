"""DynamicsExplorer: why GAN training oscillates, on the two-parameter Dirac-GAN.

Controls choose the objective (GAN, non-saturating, WGAN, WGAN-GP, gradient
penalty, consensus optimisation, instance noise), simultaneous or
alternating steps, the step size h, k discriminator steps per generator
step, the regulariser weight γ, the instance-noise σ, the number of steps
and the start point (type it, or click anywhere on the vector field). One
FigureWidget (``.figure``, also ``.figures["dynamics"]``) holds three panels:

* the vector field v(θ, ψ) as arrows over the value of the game, with the
  trajectory of gradient steps (and, optionally, the continuous-time flow);
* the distance to the equilibrium over steps on a log axis, with the rate
  ρⁿ predicted by the linearised update;
* the eigenvalues λ of the field's Jacobian and of the update, with the
  step-size stability disc |1 + hλ| < 1.

All mathematics comes from :mod:`ganviz.dynamics`, all drawing from
:mod:`ganviz.plots.dynamics`; the figure is built once and updated in place
(only the traces whose data changed are sent to the browser).
"""

from __future__ import annotations

import html
import math

import ipywidgets as widgets
import numpy as np
import plotly.graph_objects as go

from .. import _validation as check
from .. import dynamics as dyn
from ..plots import dynamics as dplots
from ._base import ExplorerBase
from ._controls import beside, checkbox
from ._figure import FigureWidget

__all__ = ["DynamicsExplorer"]

#: The continuous flow is drawn over the trajectory's time span steps·h, at most this long
#: (long enough to circle the equilibrium many times; keeps the ODE solve short).
FLOW_MAX_TIME = 100.0

#: Controls that parametrise an objective, by the objective's parameter name.
_PARAM_CONTROLS = ("gamma", "sigma")


def _format_complex(z: complex) -> str:
    """λ as '−0.150 ± …i' text; round-off such as −0.000 is shown as 0."""
    real = 0.0 if abs(z.real) < 5e-4 else z.real
    text = f"{real:.3f}".replace("-", "−")
    if abs(z.imag) < 5e-4:
        return text
    return f"{text} {'+' if z.imag >= 0 else '−'} {abs(z.imag):.3f}i"


class DynamicsExplorer(ExplorerBase):
    """Dirac-GAN training dynamics: vector field, trajectory, distance and eigenvalues.

    Parameters
    ----------
    objective : str
        One of :data:`ganviz.dynamics.OBJECTIVES` (``"gan"`` is accepted for ``"minimax"``).
    method : {"simultaneous", "alternating"}
    step_size : float
        h, the learning rate of both players.
    d_steps : int
        k, discriminator steps per generator step (alternating only).
    gamma, sigma : float
        Regulariser weight γ and instance-noise standard deviation σ.
    start : (float, float)
        (θ₀, ψ₀); also set by clicking on the vector field or :meth:`set_start`.
    steps : int
        Training steps drawn (a notebook passes fewer when ``GANVIZ_FAST=1``).
    extent : float
        Half-width of the square (θ, ψ) view.
    show_flow : bool
        Also draw the continuous-time flow over t ∈ [0, min(steps·h, 100)] (an ODE
        solve: slower, typically 10–200 ms).

    Examples
    --------
    >>> from ganviz.widgets import DynamicsExplorer
    >>> explorer = DynamicsExplorer(objective="gradient-penalty", gamma=0.5)
    >>> explorer.set(method="alternating", step_size=0.5)
    >>> explorer.set_start(1.5, -0.5)
    >>> explorer  # doctest: +SKIP
    """

    def __init__(
        self,
        objective: str = "minimax",
        method: str = "simultaneous",
        step_size: float = 0.2,
        d_steps: int = 1,
        gamma: float = 0.3,
        sigma: float = 1.0,
        start: tuple[float, float] = (1.0, 1.0),
        steps: int = 500,
        extent: float = 2.5,
        show_flow: bool = False,
    ):
        super().__init__()
        self.extent = check.positive_float(extent, "extent")
        self._field_key: tuple | None = None
        self._value_key: tuple | None = None
        self._flow_key: tuple | None = None
        self._flow: np.ndarray | None = None
        #: the last computed trajectory, eigenvalues and update eigenvalues
        self.trajectory: np.ndarray = np.zeros((0, 2))
        self.eigenvalues: np.ndarray = np.zeros(0, dtype=complex)
        self.step_eigenvalues: np.ndarray = np.zeros(0, dtype=complex)

        self.arrow_axis = np.linspace(-self.extent, self.extent, 17)
        # 41 points: clicks land on a 0.125 grid (for extent 2.5) and the instance-noise value,
        # 64 quadrature nodes per point, stays within the latency budget.
        self.value_axis = np.linspace(-self.extent, self.extent, 41)
        self._arrow_grid = np.meshgrid(self.arrow_axis, self.arrow_axis)
        self._value_grid = np.meshgrid(self.value_axis, self.value_axis)

        self._build_controls(
            objective, method, step_size, d_steps, gamma, sigma, start, steps, show_flow
        )
        self._build_figures()
        self.summary = widgets.HTML(layout=widgets.Layout(margin="4px 0 0 0"))
        self._layout()
        self.observe_controls()
        self._guarded(self._update)
        if self.error is not None:
            raise ValueError(self.error)

    # -- construction -------------------------------------------------------------------
    def _build_controls(
        self, objective, method, step_size, d_steps, gamma, sigma, start, steps, show_flow
    ):
        objective = dyn.objective_name(objective)  # also accepts the paper's "gan"
        # The sliders would clamp silently: refuse out-of-range starting values instead.
        for name, value, low, high in (
            ("step_size", step_size, 0.01, 5.0),
            ("d_steps", d_steps, 1, 10),
            ("gamma", gamma, 0.0, 3.0),
            ("sigma", sigma, 0.0, 3.0),
            ("steps", steps, 10, 3000),
        ):
            number = check.finite_float(value, name)
            if not low <= number <= high:
                raise ValueError(f"{name} must be in [{low:g}, {high:g}], got {value!r}")
        check.choice(method, dyn.METHODS, "method")
        style = {"description_width": "92px"}
        wide = widgets.Layout(width="300px")
        theta0, psi0 = (float(v) for v in start)
        self.controls = {
            "objective": widgets.Dropdown(
                options=[(obj.title, name) for name, obj in dyn.OBJECTIVES.items()],
                value=objective,
                description="objective",
                style=style,
                layout=wide,
            ),
            "method": widgets.ToggleButtons(
                options=list(dyn.METHODS),
                value=method,
                description="steps",
                style={**style, "button_width": "118px"},
            ),
            "step_size": widgets.FloatSlider(
                value=step_size,
                min=0.01,
                max=5.0,
                step=0.01,
                description="step size h",
                style=style,
                layout=wide,
            ),
            "d_steps": widgets.IntSlider(
                value=d_steps, min=1, max=10, description="k (D steps)", style=style, layout=wide
            ),
            "gamma": widgets.FloatSlider(
                value=gamma, min=0.0, max=3.0, step=0.01, description="γ", style=style, layout=wide
            ),
            "sigma": widgets.FloatSlider(
                value=sigma,
                min=0.0,
                max=3.0,
                step=0.01,
                description="noise σ",
                style=style,
                layout=wide,
            ),
            "theta0": widgets.FloatText(
                value=theta0,
                step=0.1,
                description="start θ₀",
                style=style,
                layout=widgets.Layout(width="200px"),
            ),
            "psi0": widgets.FloatText(
                value=psi0,
                step=0.1,
                description="start ψ₀",
                style=style,
                layout=widgets.Layout(width="200px"),
            ),
            "steps": widgets.IntSlider(
                value=steps,
                min=10,
                max=3000,
                step=10,
                description="steps",
                style=style,
                layout=wide,
            ),
            "show_flow": checkbox(show_flow, "continuous-time flow (h → 0)"),
        }

    def _build_figures(self) -> None:
        zeros = np.zeros_like(self._arrow_grid[0])
        field = dplots.vector_field_figure(
            self.arrow_axis,
            self.arrow_axis,
            zeros,
            zeros,
            value=np.zeros_like(self._value_grid[0]),
            value_axes=(self.value_axis, self.value_axis),
            extent=self.extent,
            title="vector field v(θ, ψ) and gradient steps · click to start there",
        )
        distance = dplots.distance_figure(np.zeros((1, 2)), title="distance to the equilibrium")
        eigen = dplots.eigenvalue_figure(
            np.zeros(2, dtype=complex), 0.2, title="eigenvalues · stable disc"
        )
        # One FigureWidget for the three panels: every FigureWidget loads the whole
        # plotly.js bundle in the browser, and anywidget gives a model 2 s to start.
        self.figure = FigureWidget(dplots.dynamics_figure(field, distance, eigen))
        self.figures: dict[str, go.FigureWidget] = {"dynamics": self.figure}
        # Clicks land on the heatmap that covers the plane, or on a line drawn over it.
        for name in ("value", "trajectory", "flow", "equilibrium"):
            self._trace(name).on_click(self._on_field_click)

    def _layout(self) -> None:
        c = self.controls
        panel = widgets.VBox(
            [
                c["objective"],
                c["method"],
                c["step_size"],
                c["d_steps"],
                c["gamma"],
                c["sigma"],
                c["steps"],
                c["theta0"],
                c["psi0"],
                c["show_flow"],
                self.summary,
            ],
            layout=widgets.Layout(width="330px"),
        )
        self.children = [beside(panel, self.figure), self.message]

    def _trace(self, name: str):
        """The trace called ``name`` (its ``meta``; see ``ganviz.plots.dynamics``)."""
        for trace in self.figure.data:
            if trace.meta == name:
                return trace
        raise KeyError(name)  # pragma: no cover - the plot helpers always create every trace

    # -- programmatic control ------------------------------------------------------------
    def set(self, **values) -> None:
        """Set several controls at once (names as in ``.controls``), then update once.

        ``objective`` also takes the shared loss names' aliases (``"gan"`` → ``"minimax"``).

        >>> explorer.set(objective="consensus", gamma=1.0, method="alternating")  # doctest: +SKIP
        """
        if "objective" in values:
            values["objective"] = dyn.objective_name(values["objective"])
        super().set(**values)

    def set_start(self, theta: float, psi: float) -> None:
        """Start training from (θ₀, ψ₀) (what a click on the vector field does)."""
        self.set(theta0=float(theta), psi0=float(psi))

    def _on_field_click(self, _trace, points, _selector) -> None:
        if points.xs and points.ys:
            self.set_start(points.xs[0], points.ys[0])

    # -- the model ---------------------------------------------------------------------------
    @property
    def objective(self) -> dyn.DiracObjective:
        return dyn.OBJECTIVES[self.controls["objective"].value]

    @property
    def params(self) -> dict[str, float]:
        """Parameters of the chosen objective taken from the controls (γ, σ)."""
        return {
            name: float(self.controls[name].value)
            for name in self.objective.params
            if name in _PARAM_CONTROLS
        }

    @property
    def start(self) -> tuple[float, float]:
        return float(self.controls["theta0"].value), float(self.controls["psi0"].value)

    @property
    def d_steps(self) -> int:
        """k as used: 1 for simultaneous steps (the slider is then disabled)."""
        if self.controls["method"].value == "simultaneous":
            return 1
        return int(self.controls["d_steps"].value)

    def _refresh(self, changed: frozenset[str]) -> None:
        # ``set(objective="consensus", gamma=1.0, method="alternating")`` updates once.
        self._update()

    def _update(self) -> None:
        c = self.controls
        name = c["objective"].value
        obj = dyn.OBJECTIVES[name]
        params = self.params
        method = c["method"].value
        h = float(c["step_size"].value)
        steps = int(c["steps"].value)
        for control in _PARAM_CONTROLS:
            c[control].disabled = control not in obj.params
        c["d_steps"].disabled = method == "simultaneous"

        # Compute everything first: a ValueError leaves every figure in its last valid state.
        trajectory = dyn.dirac_trajectory(
            name, method, steps=steps, step_size=h, start=self.start, d_steps=self.d_steps, **params
        )
        eigenvalues = dyn.dirac_eigenvalues(name, **params)
        step_eigenvalues = dyn.dirac_update_eigenvalues(name, method, h, self.d_steps, **params)
        rho = float(np.max(np.abs(step_eigenvalues)))
        field_key = (name, tuple(sorted(params.items())))
        # The value of the game ignores the regularisers: only σ (instance noise) changes it.
        value_key = (obj.value, params.get("sigma"))
        field = value = None
        if field_key != self._field_key:
            field = dyn.dirac_vector_field(name, *self._arrow_grid, **params)
        if value_key != self._value_key:
            value = dyn.dirac_value(name, *self._value_grid, **params)
        flow = self._flow_points(name, params, min(steps * h, FLOW_MAX_TIME), trajectory[0])

        dplots.update_vector_field_figure(
            self.figure,
            self.arrow_axis,
            self.arrow_axis,
            *(field if field is not None else (None, None)),
            trajectory=trajectory,
            flow=flow,
            value=value,
            # centre the colour scale on the value at the equilibrium (−log 4 for the GANs)
            value_mid=None if value is None else float(dyn.dirac_value(name, 0, 0, **params)),
            clip=obj.params.get("clip", math.inf),
            extent=self.extent,
        )
        dplots.update_distance_figure(self.figure, trajectory, rate=rho)
        dplots.update_eigenvalue_figure(
            self.figure, eigenvalues, h, step_eigenvalues=step_eigenvalues
        )
        self._field_key = field_key
        self._value_key = value_key
        self.trajectory = trajectory
        self.eigenvalues = eigenvalues
        self.step_eigenvalues = step_eigenvalues
        self.summary.value = self._summary(obj, method, h, params, eigenvalues, rho, trajectory)

    def _flow_points(self, name, params, duration, start) -> np.ndarray | None:
        if not self.controls["show_flow"].value:
            return None
        key = (name, tuple(sorted(params.items())), float(duration), tuple(start))
        if key != self._flow_key:
            _, self._flow = dyn.dirac_flow(
                name, duration=duration, start=start, num=1001, rtol=1e-7, atol=1e-10, **params
            )
            self._flow_key = key
        return self._flow

    @staticmethod
    def _summary(obj, method, h, params, eigenvalues, rho, trajectory) -> str:
        lam = ", ".join(_format_complex(z) for z in eigenvalues)
        if not obj.stationary:
            verdict = (
                f"ρ = {rho:.4f} for the one-sided linearisation, but (0, 0) is not a fixed "
                "point (the field jumps across ψ = 0): training cannot settle there"
            )
        elif rho > 1 + 1e-9:
            verdict = (
                f"ρ = {rho:.4f} &gt; 1: near (0, 0) the distance grows "
                f"≈{100 * (rho - 1):.2g}% per step"
            )
        elif rho < 1 - 1e-9:
            verdict = (
                f"ρ = {rho:.4f} &lt; 1: converges, near (0, 0) "
                f"≈{100 * (1 - rho):.2g}% closer per step"
            )
        else:
            verdict = "ρ = 1: neither converges nor diverges (a closed orbit)"
        lines = [
            f"<b>{html.escape(obj.title)}</b>",
            f"λ(J) = {lam}",
            f"{method} steps, h = {h:g}: {verdict}",
        ]
        if method == "simultaneous" and obj.stationary:
            h_max = dyn.max_stable_step_size(obj.name, **params)
            lines.append(
                "no step size converges (Re λ ≥ 0)"
                if h_max == 0.0
                else f"simultaneous steps converge for h &lt; {h_max:.3g}"
            )
        escaped = dyn.escape_step(trajectory)
        if escaped is not None:
            lines.append(
                f"<span style='color:#b00020'>diverged at step {escaped} "
                f"(|θ| or |ψ| beyond {dyn.ESCAPE_RADIUS:.0e})</span>"
            )
        return "<div style='font-size:12.5px;line-height:1.45'>" + "<br>".join(lines) + "</div>"
