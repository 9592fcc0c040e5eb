"""Argument checks shared by the core.

Every check raises :class:`ValueError` whose message names the argument, the
allowed range and the value received, so that a learner who types a negative
standard deviation into a widget reads *why* instead of seeing ``nan``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

#: Largest number of quadrature or evaluation points the core will allocate
#: (about 320 MB of float64 for a handful of working arrays).
MAX_GRID_POINTS = 4_000_000


def finite_float(value: Any, name: str) -> float:
    """Return ``value`` as a finite float or raise ``ValueError`` naming ``name``."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a finite real number, got {value!r}") from None
    if not math.isfinite(out):
        raise ValueError(f"{name} must be a finite real number, got {value!r}")
    return out


def positive_float(value: Any, name: str) -> float:
    """Return ``value`` as a finite float > 0 or raise ``ValueError``."""
    out = finite_float(value, name)
    if out <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return out


def finite_array(value: Any, name: str, *, dtype=float) -> np.ndarray:
    """Return ``value`` as a float array with only finite entries."""
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of finite real numbers, got {value!r}") from None
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
    return arr


def points(x: Any, dim: int, name: str = "x") -> np.ndarray:
    """Coerce evaluation points for a ``dim``-dimensional distribution.

    In 1-D any shape is accepted (every entry is a point). In 2-D the last
    axis must have length 2.
    """
    arr = finite_array(x, name)
    if dim == 2 and (arr.ndim == 0 or arr.shape[-1] != 2):
        raise ValueError(
            f"{name} must have shape (n, 2) for a 2-D distribution, got shape {arr.shape}"
        )
    return arr


def sample_count(n: Any, name: str = "n") -> int:
    """Return a non-negative integer sample count."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise ValueError(f"{name} must be a non-negative integer, got {n!r}")
    if n < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {n!r}")
    return int(n)


def choice(value: Any, allowed: Iterable[str], name: str) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise listing them."""
    allowed = tuple(allowed)
    if value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {listed}; got {value!r}")
    return value


def same_dim(p: Any, q: Any, names: tuple[str, str] = ("p_data", "p_g")) -> int:
    """Check that two distributions live in the same dimension and return it."""
    from .distributions import Distribution

    for obj, name in zip((p, q), names, strict=True):
        if not isinstance(obj, Distribution):
            raise ValueError(
                f"{name} must be a ganviz distribution (Gaussian, Uniform, Mixture, "
                f"Empirical), got {type(obj).__name__}"
            )
    if p.dim != q.dim:
        raise ValueError(
            f"{names[0]} is {p.dim}-D but {names[1]} is {q.dim}-D; "
            "both must be 1-D or both 2-D (mixing 1-D with 2-D is not allowed)"
        )
    return p.dim


def grid_size(n_points: int, name: str = "grid") -> None:
    """Refuse grids that would not fit comfortably in memory."""
    if n_points > MAX_GRID_POINTS:
        raise ValueError(
            f"{name} has {n_points:,} points, more than the allowed {MAX_GRID_POINTS:,}; "
            "use fewer points per axis"
        )
