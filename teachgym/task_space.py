"""TaskSpace: the one description of what a teacher may choose for an environment.

A TaskSpace is an ordered set of named, bounded dimensions plus a default task. Environments declare theirs,
teachers sample inside it (they work in the normalised cube and convert with ``normalize``/``denormalize``), and
run configs store it as a plain dict. Bad tasks are rejected with a :class:`~teachgym.errors.TaskError` that names
the dimension, the value and the bounds; nothing is ever clipped silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from .errors import TaskError, did_you_mean
from .validation import is_number

__all__ = ["TaskSpace"]

# Values this close to a bound (relative to the dimension's width) count as on the bound: float rounding in
# normalise/denormalise round trips must not turn a task on the boundary into an error.
_BOUND_TOLERANCE = 1e-9

TaskLike = Mapping[str, float] | Sequence[float] | np.ndarray


class TaskSpace:
    """An ordered set of named dimensions ``name -> [low, high]`` with a default task.

    Args:
        bounds: mapping of parameter name to ``(low, high)``; its order is the order of task vectors.
        default: the task used when none is chosen (a mapping or a vector); the centre of the bounds when omitted.
        integer: names of dimensions that take only integer values (discrete dimensions).

    Raises:
        TaskError: on an empty space, non-finite bounds, ``low > high``, a bad default or unknown integer names.
    """

    def __init__(
        self,
        bounds: Mapping[str, tuple[float, float]],
        default: TaskLike | None = None,
        *,
        integer: Iterable[str] = (),
    ):
        if not isinstance(bounds, Mapping) or not bounds:
            raise TaskError(f"bounds must be a non-empty mapping of name -> (low, high), got {bounds!r}")
        self._names = tuple(str(name) for name in bounds)
        lows, highs = [], []
        for name, pair in bounds.items():
            low, high = _parse_bounds(name, pair)
            lows.append(low)
            highs.append(high)
        self._low = _frozen(lows)
        self._high = _frozen(highs)
        integer = tuple(integer)
        for name in integer:
            self.check_name(name)
        self._integer = _frozen_bool([name in integer for name in self._names])
        if np.any(self._integer & ((self._low != np.round(self._low)) | (self._high != np.round(self._high)))):
            bad = [n for n, i, lo, hi in zip(self._names, self._integer, self._low, self._high)
                   if i and (lo != round(lo) or hi != round(hi))]
            raise TaskError(f"integer task parameter(s) {bad} need integer bounds")
        if default is None:
            centre = (self._low + self._high) / 2.0
            self._default = _frozen(np.where(self._integer, np.floor(centre), centre))
        else:
            self._default = _frozen(self.validate(default))

    # ----------------------------------------------------------------------------------------------- properties
    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names, in the order of task vectors."""
        return self._names

    @property
    def low(self) -> np.ndarray:
        """Lower bounds (read-only float64 array)."""
        return self._low

    @property
    def high(self) -> np.ndarray:
        """Upper bounds (read-only float64 array)."""
        return self._high

    @property
    def default(self) -> np.ndarray:
        """The default task (read-only float64 array)."""
        return self._default

    @property
    def integer(self) -> np.ndarray:
        """Boolean mask of the discrete (integer-valued) dimensions."""
        return self._integer

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self._names)

    @property
    def bounds(self) -> dict[str, tuple[float, float]]:
        """A fresh ``name -> (low, high)`` dict."""
        return {n: (float(lo), float(hi)) for n, lo, hi in zip(self._names, self._low, self._high)}

    # --------------------------------------------------------------------------------------------- conversions
    def to_array(self, task: Mapping[str, float]) -> np.ndarray:
        """Convert a ``name -> value`` mapping to a task vector; unknown or missing names raise TaskError."""
        if not isinstance(task, Mapping):
            raise TaskError(f"expected a mapping of task parameters {list(self._names)}, got {task!r}")
        for name in task:
            self.check_name(name)
        missing = [name for name in self._names if name not in task]
        if missing:
            raise TaskError(f"task is missing parameter(s) {missing}; expected all of {list(self._names)}")
        return np.array([_as_number(name, task[name]) for name in self._names], dtype=np.float64)

    def to_dict(self, task: Sequence[float] | np.ndarray) -> dict[str, float]:
        """Convert a task vector to a fresh ``name -> float`` dict (length is checked, bounds are not)."""
        array = self._as_vector(task)
        return {name: float(value) for name, value in zip(self._names, array)}

    def normalize(self, task: np.ndarray | Sequence[float]) -> np.ndarray:
        """Map tasks (shape ``(ndim,)`` or ``(n, ndim)``) linearly onto ``[0, 1]``; fixed dimensions map to 0."""
        array = self._as_batch(task)
        span = self._high - self._low
        safe_span = np.where(span > 0, span, 1.0)
        return np.where(span > 0, (array - self._low) / safe_span, 0.0)

    def denormalize(self, unit: np.ndarray | Sequence[float]) -> np.ndarray:
        """Inverse of :meth:`normalize`; integer dimensions are rounded to the nearest integer."""
        array = self._as_batch(unit)
        task = self._low + array * (self._high - self._low)
        return np.where(self._integer, np.rint(task), task)

    def to_box(self):
        """The space as a gymnasium ``Box`` (float64)."""
        from gymnasium.spaces import Box

        return Box(low=self._low.copy(), high=self._high.copy(), dtype=np.float64)

    def to_config(self) -> dict[str, Any]:
        """Plain-dict form (for YAML configs and run records); :meth:`from_config` reads it back."""
        config: dict[str, Any] = {
            "bounds": {name: [lo, hi] for name, (lo, hi) in self.bounds.items()},
            "default": self.to_dict(self._default),
        }
        if self._integer.any():
            config["integer"] = [n for n, i in zip(self._names, self._integer) if i]
        return config

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> TaskSpace:
        """Build a TaskSpace from :meth:`to_config`'s dict; unknown keys raise TaskError."""
        if not isinstance(config, Mapping) or "bounds" not in config:
            raise TaskError(f"a task-space config needs a 'bounds' mapping, got {config!r}")
        unknown = set(config) - {"bounds", "default", "integer"}
        if unknown:
            raise TaskError(f"unknown task-space config key(s) {sorted(unknown)}; expected bounds, default, integer")
        bounds = config["bounds"]
        if not isinstance(bounds, Mapping):
            raise TaskError(f"task-space 'bounds' must be a mapping of name -> [low, high], got {bounds!r}")
        return cls(bounds, config.get("default"), integer=config.get("integer", ()))

    def with_bounds(self, overrides: Mapping[str, tuple[float, float]]) -> TaskSpace:
        """A copy with some dimensions' bounds replaced (widened or narrowed).

        The default task is kept where it still fits and moved to the nearest bound where it does not, because
        the default is the space's own choice, not a user's task.
        """
        for name in overrides:
            self.check_name(name)
        bounds = {name: overrides.get(name, pair) for name, pair in self.bounds.items()}
        integer = [n for n, i in zip(self._names, self._integer) if i]
        narrowed = TaskSpace(bounds, integer=integer)
        return TaskSpace(bounds, np.clip(self._default, narrowed.low, narrowed.high), integer=integer)

    # ------------------------------------------------------------------------------------------------ checking
    def validate(self, task: TaskLike) -> np.ndarray:
        """Check a task (mapping or vector) completely and return it as a fresh float64 vector.

        Raises:
            TaskError: naming the dimension, the value and the bounds, for unknown or missing names, a wrong
                length, a non-number, NaN, inf, a value outside the bounds or a non-integer discrete value.
        """
        array = self.to_array(task) if isinstance(task, Mapping) else self._as_vector(task)
        for i, (name, value) in enumerate(zip(self._names, array)):
            low, high = self._low[i], self._high[i]
            if not math.isfinite(value):
                raise TaskError(f"task parameter {name!r} is {value}; expected a finite value in [{low:g}, {high:g}]")
            tolerance = _BOUND_TOLERANCE * max(1.0, high - low)
            if value < low - tolerance or value > high + tolerance:
                raise TaskError(f"task parameter {name!r} = {value:g} is outside its bounds [{low:g}, {high:g}]")
            array[i] = min(max(value, low), high)
            if self._integer[i] and array[i] != round(array[i]):
                raise TaskError(f"task parameter {name!r} = {value:g} must be an integer in [{low:g}, {high:g}]")
        return array

    def contains(self, task: TaskLike) -> bool:
        """Whether ``task`` is a valid task of this space (never raises)."""
        try:
            self.validate(task)
        except TaskError:
            return False
        return True

    def __contains__(self, task: TaskLike) -> bool:
        return self.contains(task)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        """Draw one task uniformly from the space with the given generator."""
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"sample needs a numpy.random.Generator, got {type(rng).__name__}")
        continuous = rng.uniform(self._low, self._high)
        discrete = np.floor(rng.uniform(self._low, self._high + 1.0))
        return np.where(self._integer, np.minimum(discrete, self._high), continuous)

    # --------------------------------------------------------------------------------------------------- dunder
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TaskSpace):
            return NotImplemented
        return (
            self._names == other._names
            and np.array_equal(self._low, other._low)
            and np.array_equal(self._high, other._high)
            and np.array_equal(self._default, other._default)
            and np.array_equal(self._integer, other._integer)
        )

    def __hash__(self) -> int:
        return hash((self._names, self._low.tobytes(), self._high.tobytes()))

    def __len__(self) -> int:
        return self.ndim

    def __repr__(self) -> str:
        bounds = ", ".join(f"{n!r}: ({lo:g}, {hi:g})" for n, (lo, hi) in self.bounds.items())
        default = ", ".join(f"{n!r}: {v:g}" for n, v in self.to_dict(self._default).items())
        return f"TaskSpace({{{bounds}}}, default={{{default}}})"

    def check_name(self, name: object, where: str = "") -> None:
        """Raise a TaskError (prefixed with ``where``, e.g. a file and line) naming ``name`` and the closest
        parameter name, unless ``name`` is one of the space's parameters."""
        if name not in self._names:
            raise TaskError(
                f"{where}unknown task parameter {name!r}{did_you_mean(str(name), self._names)}; "
                f"expected one of {list(self._names)}"
            )

    # ------------------------------------------------------------------------------------------------- helpers

    def _as_vector(self, task: object) -> np.ndarray:
        if isinstance(task, (str, bytes)) or not isinstance(task, (Sequence, np.ndarray)):
            raise TaskError(
                f"a task must be a mapping of {list(self._names)} or a sequence of {self.ndim} numbers, got {task!r}"
            )
        values = list(np.ravel(task)) if isinstance(task, np.ndarray) else list(task)
        if isinstance(task, np.ndarray) and task.ndim != 1:
            raise TaskError(f"a task vector must be 1-D with {self.ndim} values, got shape {task.shape}")
        if len(values) != self.ndim:
            raise TaskError(f"task has {len(values)} values, expected {self.ndim} ({', '.join(self._names)})")
        return np.array([_as_number(n, v) for n, v in zip(self._names, values)], dtype=np.float64)

    def _as_batch(self, tasks: object) -> np.ndarray:
        array = np.asarray(tasks, dtype=np.float64)
        if array.shape[-1:] != (self.ndim,) or array.ndim > 2:
            raise TaskError(f"expected shape ({self.ndim},) or (n, {self.ndim}), got {array.shape}")
        return array


def _parse_bounds(name: str, pair: object) -> tuple[float, float]:
    """Check one ``(low, high)`` pair: two finite numbers with low <= high."""
    if isinstance(pair, (str, bytes)) or not isinstance(pair, (Sequence, np.ndarray)) or len(pair) != 2:
        raise TaskError(f"bounds of task parameter {name!r} must be a (low, high) pair, got {pair!r}")
    low, high = (_as_number(name, v) for v in pair)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise TaskError(f"bounds of task parameter {name!r} must be finite, got ({low}, {high})")
    if low > high:
        raise TaskError(f"bounds of task parameter {name!r} have low {low:g} > high {high:g}")
    return low, high


def _as_number(name: str, value: object) -> float:
    if not is_number(value):
        raise TaskError(f"task parameter {name!r} must be a number, got {value!r}")
    return float(value)


def _frozen(values: Iterable[float] | np.ndarray) -> np.ndarray:
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


def _frozen_bool(values: Iterable[bool]) -> np.ndarray:
    array = np.array(values, dtype=bool)
    array.flags.writeable = False
    return array
