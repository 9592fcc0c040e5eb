"""What the figure tests share: reading traces back out of a figure."""

import numpy as np


def trace(fig, name):
    """The one trace of ``fig`` named ``name`` (fails when there are none or several)."""
    (found,) = [t for t in fig.data if t.name == name]
    return found


def values(seq):
    """A trace's array as floats, with plotly's ``None`` gaps as NaN."""
    return np.array([np.nan if v is None else v for v in seq], dtype=float)
