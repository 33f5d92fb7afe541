"""The type checks every boundary shares: what counts as an integer or a number in user input.

A numpy integer is an integer and a numpy float a number wherever teachgym takes one (a value read from an array
is as good as a literal), and a bool is neither, although Python makes it an ``int``: ``n_envs=True`` is a typo.
The ``check_*`` functions raise the boundary's own error type (``error``), with one message shape everywhere: the
option's name, what was expected, and the value it got (``n_envs must be an integer >= 1, got 0``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

__all__ = ["check_integer", "check_number", "is_finite_number", "is_integer", "is_number", "is_positive_integer"]


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


def check_integer(name: str, value: object, *, minimum: int | None = None, maximum: int | None = None,
                  error: Callable[[str], Exception] = ValueError) -> int:
    """Return ``value`` as an ``int`` when it is an integer (as :func:`is_integer`) in ``[minimum, maximum]`` (a
    bound left None is open).

    Raises:
        error: ``"{name} must be an integer >= 1, got 0"`` (or ``in [1, 3]``, ``<= 3``), for anything else.
    """
    if not is_integer(value) or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise error(f"{name} must be {_expected('an integer', minimum, maximum, closed=(True, True))}, got {value!r}")
    return int(value)


def check_number(name: str, value: object, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False,
                 error: Callable[[str], Exception] = ValueError) -> float:
    """Return ``value`` as a ``float`` when it is a finite number (as :func:`is_finite_number`) between ``low`` and
    ``high`` (a bound left None is open; ``low_open`` / ``high_open`` exclude the bound itself).

    Raises:
        error: ``"{name} must be a finite number > 0, got -1"`` (or ``in (0, 1]`` ...), for anything else:
            NaN, infinities and bools included.
    """
    if (not is_finite_number(value) or (low is not None and (value <= low if low_open else value < low))
            or (high is not None and (value >= high if high_open else value > high))):
        expected = _expected("a finite number", low, high, closed=(not low_open, not high_open))
        raise error(f"{name} must be {expected}, got {value!r}")
    return float(value)


def _expected(kind: str, low: float | None, high: float | None, *, closed: tuple[bool, bool]) -> str:
    """What was expected, as the rest of "must be ...": ``an integer >= 1``, ``an integer in [1, 3]``, ``a finite
    number in (0, 1]``."""
    shown = [None if bound is None else f"{bound:,}" if is_integer(bound) else f"{bound:g}" for bound in (low, high)]
    if low is not None and high is not None:
        interval = f"{'[' if closed[0] else '('}{shown[0]}, {shown[1]}{']' if closed[1] else ')'}"
        return f"{kind} in {interval}"
    if low is not None:
        return f"{kind} {'>=' if closed[0] else '>'} {shown[0]}"
    if high is not None:
        return f"{kind} {'<=' if closed[1] else '<'} {shown[1]}"
    return kind
