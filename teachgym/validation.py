"""The type checks every boundary shares: what counts as an integer or a number in user input.

A numpy integer is an integer and a numpy float a number wherever teachgym takes one (a value read from an array
is as good as a literal), and a bool is neither, although Python makes it an ``int``: ``n_envs=True`` is a typo.
Each boundary keeps its own error type and message; these say only whether a value is acceptable.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["is_finite_number", "is_integer", "is_number", "is_positive_integer"]


def is_integer(value: object) -> bool:
    """An ``int`` or numpy integer, not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_positive_integer(value: object) -> bool:
    """An integer (as :func:`is_integer`) >= 1."""
    return is_integer(value) and value >= 1


def is_number(value: object) -> bool:
    """An integer (as :func:`is_integer`) or a Python or numpy float, NaN and infinities included."""
    return is_integer(value) or isinstance(value, (float, np.floating))


def is_finite_number(value: object) -> bool:
    """A number (as :func:`is_number`) that is neither NaN nor infinite."""
    return is_number(value) and math.isfinite(value)
