"""Plot helpers: data or distributions in, a ``plotly.graph_objects.Figure`` out.

In the spirit of plotly express: no display, no widgets, no torch; keyword
arguments for what a user tunes, one colour language throughout
(:mod:`ganviz.plots.style`: P_data blue, P_g orange, D green).
"""

from __future__ import annotations

from . import style
from .field import (
    FIELD_TRACES,
    discriminator_field,
    snapshot_figure,
    theory_field,
    update_discriminator_field,
)

__all__ = [
    "FIELD_TRACES",
    "discriminator_field",
    "snapshot_figure",
    "style",
    "theory_field",
    "update_discriminator_field",
]
