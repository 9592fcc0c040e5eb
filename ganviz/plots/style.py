"""The colour language shared by every ganviz figure.

P_data is always blue, P_g always orange, the discriminator (D*, a trained D,
or a critic) always green, gradients red-purple. A learner who has seen one
figure can read the next without a legend.
"""

from __future__ import annotations

import plotly.graph_objects as go

from ..losses import LOSS_ALIASES

#: Colour of the data distribution P_data and of real samples.
DATA = "#1f77b4"
#: Colour of the generator's distribution P_g and of fake samples.
FAKE = "#ff7f0e"
#: Colour of the discriminator D(x), D*(x) and of critics.
DISCRIMINATOR = "#2ca02c"
#: Colour of generator-gradient arrows.
GRADIENT = "#c2185b"
#: Neutral colour for reference lines (D = ½, bounds such as −log 4).
REFERENCE = "#7f7f7f"

#: One colour per loss so side-by-side comparisons keep their identity.
LOSS_COLOURS = {
    "minimax": "#d62728",
    "nonsaturating": "#9467bd",
    "wgan": "#17becf",
    "wgan-gp": "#1a9988",
    "lsgan": "#8c564b",
    "hinge": "#e377c2",
    "maximum_likelihood": "#bcbd22",
}

#: Diverging colour scale for D(x) in [0, 1]: fake-ish (orange) → ½ (white) → real-ish (blue).
D_COLORSCALE = [[0.0, "#f6a45c"], [0.5, "#ffffff"], [1.0, "#6fa8dc"]]
#: Colour scale for unbounded critic scores (same orientation: high = real-ish).
CRITIC_COLORSCALE = "RdBu"

#: Human-readable labels used in legends and titles.
LABELS = {
    "p_data": "p_data",
    "p_g": "p_g",
    "d_star": "D*(x)",
    "minimax": "minimax  log(1 − D)",
    "nonsaturating": "non-saturating  −log D",
    "wgan": "Wasserstein critic",
    "maximum_likelihood": "maximum likelihood",
}


def filled_densities(data: dict) -> list[go.Scatter]:
    """The 1-D densities p_data and p_g as filled lines; ``data[name]`` holds their ``x``, ``y``."""
    return [
        go.Scatter(
            name=name,
            mode="lines",
            fill="tozeroy",
            line={"color": colour, "width": 2},
            **data[name],
        )
        for name, colour in (("p_data", DATA), ("p_g", FAKE))
    ]


def loss_colour(loss: str) -> str:
    """Colour of a loss name or alias (``"wasserstein"`` is ``"wgan"``; grey for an unknown one)."""
    return LOSS_COLOURS.get(LOSS_ALIASES.get(loss, loss), REFERENCE)


def base_layout(fig: go.Figure, *, title: str | None = None, height: int = 380) -> go.Figure:
    """Apply the common ganviz layout (white template, compact margins, legend on top)."""
    fig.update_layout(
        template="plotly_white",
        height=height,
        margin={"l": 55, "r": 20, "t": 80 if title else 40, "b": 45},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0},
        title=(
            {"text": title, "x": 0.01, "xanchor": "left", "y": 0.99, "yanchor": "top"}
            if title
            else None
        ),
        font={"size": 13},
    )
    return fig
