"""Validation of teacher hyperparameters: one message style for every teacher ("teacher 'x': name must be ...")."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from teachgym.errors import TaskError
from teachgym.task_space import TaskSpace
from teachgym.validation import check_integer, check_number

from .base import TeacherError


def checked_integer(teacher: str, name: str, value: object, *, minimum: int) -> int:
    """``value`` as an int if it is an integer >= ``minimum``; else a TeacherError naming ``name`` and the value."""
    return check_integer(f"teacher {teacher!r}: {name}", value, minimum=minimum, error=TeacherError)


def checked_real(teacher: str, name: str, value: object, *, low: float = -math.inf, high: float = math.inf,
                 low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a float if it is a finite number between ``low`` and ``high`` (each bound included unless
    open); else a TeacherError naming ``name``, the value and the interval."""
    return check_number(f"teacher {teacher!r}: {name}", value, low=None if math.isinf(low) else low,
                        high=None if math.isinf(high) else high, low_open=low_open, high_open=high_open,
                        error=TeacherError)


def checked_pair(teacher: str, name: str, value: object, *, low: float = -math.inf, high: float = math.inf,
                 strict: bool = True) -> tuple[float, float]:
    """``value`` as a ``(first, second)`` pair of finite numbers in [low, high] with ``first < second`` (``<=``
    unless ``strict``); else a TeacherError naming ``name`` and the value."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)) or len(value) != 2:
        raise TeacherError(f"teacher {teacher!r}: {name} must be a (low, high) pair of numbers, got {value!r}")
    first, second = (checked_real(teacher, name, item, low=low, high=high) for item in value)
    if first > second or (strict and first == second):
        raise TeacherError(f"teacher {teacher!r}: {name} must have low {'<' if strict else '<='} high, "
                           f"got ({first:g}, {second:g})")
    return first, second


def checked_distribution(teacher: str, name: str, task_space: TaskSpace,
                         distribution: Mapping[str, Any] | None) -> tuple[np.ndarray, np.ndarray] | None:
    """Check an expert Gaussian ``{"mean": ..., "std": ...}`` in task units (hyperparameter ``name``) and return
    it in the unit cube (std divided by the bounds' widths; 0 on fixed dimensions), or None when not given.

    Raises:
        TeacherError: naming ``name`` for a missing or unknown key, a vector of the wrong length or with unknown
            names, a mean outside the space, or a negative or non-finite std.
    """
    if distribution is None:
        return None
    prefix = f"teacher {teacher!r}: {name}"
    if not isinstance(distribution, Mapping) or set(distribution) != {"mean", "std"}:
        raise TeacherError(f"{prefix} must be a mapping with exactly the keys 'mean' and 'std' (task units), "
                           f"got {distribution!r}")
    try:
        mean = task_space.validate(distribution["mean"])
        std = (task_space.to_array(distribution["std"]) if isinstance(distribution["std"], Mapping)
               else np.fromiter(task_space.to_dict(distribution["std"]).values(), dtype=np.float64))
    except TaskError as error:
        raise TeacherError(f"{prefix}: {error}") from None
    if not np.all(np.isfinite(std) & (std >= 0)):
        raise TeacherError(f"{prefix}: std must be finite and >= 0 in every dimension, got {std.tolist()}")
    width = task_space.high - task_space.low
    unit_std = np.divide(std, width, out=np.zeros_like(std), where=width > 0)
    return task_space.normalize(mean), unit_std
