"""ADR: a box of tasks around an easy task that grows where the student does well and shrinks where it fails.

Automatic Domain Randomization (OpenAI et al., 2019, "Solving Rubik's Cube with a Robot Hand"), in the version
TeachMyAgent benchmarks (Romac et al., 2021).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from teachgym.errors import TaskError
from teachgym.task_space import TaskSpace

from .base import Teacher, TeacherError
from .checks import checked_distribution, checked_integer, checked_real
from .registry import register_teacher

LOW, HIGH = 0, 1
RANDOM_INITIAL_TASK = "random"
# A task counts as lying on a boundary when it is this close to it in the unit cube: tasks come back through a
# denormalise/normalise round trip, which may move them by a few ulps.
_ON_BOUNDARY = 1e-9


@register_teacher("adr")
class ADRTeacher(Teacher):
    """Samples uniformly in a box ``[box_low, box_high]`` of the unit task space that starts as one task.

    With probability ``boundary_sampling_p`` one of the ``2 * ndim`` box boundaries is chosen uniformly and the
    task's coordinate is set on it. Every return of a task lying on a boundary goes into that boundary's queue (a
    task on a zero-width dimension lies on both of its boundaries). When a queue holds ``queue_len`` returns it is
    emptied and its mean decides: at least ``reward_thresholds[1]``, the boundary moves out by one step (never
    beyond the task space); at most ``reward_thresholds[0]``, it moves in by one step (never past the initial
    task). Boundaries stay on the grid ``initial task +- k * step``, cut at the edge of the space.
    Metrics: ``box_volume_share`` (the box's share of the space), ``mean_box_width`` (as a share of each range) and
    the numbers of boundary moves so far.

    Hyperparameters (defaults from the reference, reference.md section 2; preset ``"tma"``: TeachMyAgent's
    benchmark, i.e. thresholds (0, 180) and steps of 0.1 task units):
        reward_thresholds: ``(low, high)`` episode returns, in the env's return units: at most ``low`` a boundary is
            failing, at least ``high`` it is mastered. Expert knowledge with no default (TMA: (0, 180)).
        initial_task: the task the box starts from, in task units (a vector or a name -> value mapping; None: the
            task space's default task, which envs make their easy end; ``"random"``: a uniform task drawn from the
            teacher's seeded generator, TeachMyAgent's start without the "high" expert knowledge).
        initial_distribution: ``{"mean": ..., "std": ...}`` in task units, the "high" expert knowledge: its mean
            is used as the initial task (its spread is not used, as in TMA). Give this or ``initial_task``.
        step_size: how far a boundary moves (0.1): a share of each dimension's range, or with
            ``step_in_task_units`` the same distance in every dimension's own units.
        step_in_task_units: read ``step_size`` in task units (False). TeachMyAgent's steps are 0.1 task units
            (its preset sets True): on Stump Tracks (ranges 3 and 6) that is 1/30 and 1/60 of the ranges, where
            the default 0.1 of each range grows the box 3x and 6x faster.
        boundary_sampling_p: probability of sampling a boundary task (0.7).
        queue_len: returns a boundary collects before it moves (10).

    TMA only tests a boundary that has not reached the edge of the space, so a boundary there never shrinks
    again; here every boundary is tested, as in the original ADR, so a student that forgets makes the box shrink.
    """

    presets = {"tma": {"reward_thresholds": (0.0, 180.0), "step_size": 0.1, "step_in_task_units": True}}
    # The initial task is state: a random one (drawn at construction) must survive a resume whatever the seed.
    state_attributes = ("initial_unit", "boundary_steps", "box_low", "box_high", "queues", "queue_sizes",
                        "expansions", "shrinks")

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        reward_thresholds: Sequence[float] | None = None,
        initial_task: Sequence[float] | Mapping[str, float] | np.ndarray | str | None = None,
        initial_distribution: Mapping[str, Any] | None = None,
        step_size: float = 0.1,
        step_in_task_units: bool = False,
        boundary_sampling_p: float = 0.7,
        queue_len: int = 10,
        **base: Any,
    ):
        name = self.name
        self.reward_thresholds = _checked_thresholds(name, reward_thresholds)
        if not isinstance(step_in_task_units, (bool, np.bool_)):
            raise TeacherError(f"teacher {name!r}: step_in_task_units must be True or False, got "
                               f"{step_in_task_units!r}")
        self.step_in_task_units = bool(step_in_task_units)
        self.step_size = checked_real(name, "step_size", step_size, low=0.0, low_open=True,
                                      high=math.inf if self.step_in_task_units else 1.0)
        self.boundary_sampling_p = checked_real(name, "boundary_sampling_p", boundary_sampling_p, low=0.0, high=1.0)
        self.queue_len = checked_integer(name, "queue_len", queue_len, minimum=1)
        super().__init__(task_space, **base)
        # The step of each dimension in the unit cube the box lives in.
        self.unit_steps = np.full(self.ndim, self.step_size)
        if self.step_in_task_units:
            ranges = task_space.high - task_space.low
            # A zero-width dimension has nowhere to grow: any step leaves its boundaries at its one value.
            self.unit_steps = np.divide(self.step_size, ranges, out=np.ones(self.ndim), where=ranges > 0)
        self.initial_unit = _initial_unit_task(name, task_space, initial_task, initial_distribution, self.rng)
        self.boundary_steps = np.zeros((self.ndim, 2), dtype=np.int64)
        self._place_boundaries()
        self.queues = np.zeros((self.ndim, 2, self.queue_len))
        self.queue_sizes = np.zeros((self.ndim, 2), dtype=np.int64)
        self.expansions = 0
        self.shrinks = 0

    def _sample(self) -> np.ndarray:
        task = self.rng.uniform(self.box_low, self.box_high)
        if self.rng.random() < self.boundary_sampling_p:
            dim = int(self.rng.integers(self.ndim))
            task[dim] = self.box_high[dim] if self.rng.integers(2) == HIGH else self.box_low[dim]
        return task

    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        # The boundaries as the env sees them (integer dimensions rounded), so a task on one is recognised.
        boundaries = self.task_space.normalize(self.task_space.denormalize(np.stack([self.box_low, self.box_high])))
        for dim in range(self.ndim):
            for side in (LOW, HIGH):
                if abs(unit_task[dim] - boundaries[side, dim]) <= _ON_BOUNDARY:
                    self._enqueue(dim, side, episode_return)

    def _enqueue(self, dim: int, side: int, episode_return: float) -> None:
        """Add a boundary return; a full queue is emptied and moves its boundary out, in, or leaves it."""
        self.queues[dim, side, self.queue_sizes[dim, side]] = episode_return
        self.queue_sizes[dim, side] += 1
        if self.queue_sizes[dim, side] < self.queue_len:
            return
        self.queue_sizes[dim, side] = 0
        mean_return = float(self.queues[dim, side].mean())
        at_edge = self.box_low[dim] == 0.0 if side == LOW else self.box_high[dim] == 1.0
        if mean_return >= self.reward_thresholds[1] and not at_edge:
            self.boundary_steps[dim, side] += 1
            self.expansions += 1
        elif mean_return <= self.reward_thresholds[0] and self.boundary_steps[dim, side] > 0:
            self.boundary_steps[dim, side] -= 1
            self.shrinks += 1
        else:
            return
        self._place_boundaries()

    def _place_boundaries(self) -> None:
        """Put each boundary its number of steps away from the initial task, stopped at the edge of the space.

        Counting steps rather than adding them keeps the boundaries on one grid, free of rounding drift.
        """
        self.box_low = np.maximum(self.initial_unit - self.boundary_steps[:, LOW] * self.unit_steps, 0.0)
        self.box_high = np.minimum(self.initial_unit + self.boundary_steps[:, HIGH] * self.unit_steps, 1.0)

    def _metrics(self) -> dict[str, float]:
        widths = self.box_high - self.box_low
        return {"box_volume_share": float(np.prod(widths)), "mean_box_width": float(widths.mean()),
                "boundary_expansions": float(self.expansions), "boundary_shrinks": float(self.shrinks)}


def _checked_thresholds(teacher: str, reward_thresholds: object) -> tuple[float, float]:
    if reward_thresholds is None:
        raise TeacherError(f"teacher {teacher!r} needs expert knowledge of the returns: pass "
                           f"reward_thresholds=(low, high), the mean boundary returns at or below which the box "
                           f"shrinks and at or above which it grows (TeachMyAgent used (0, 180) on Stump Tracks)")
    if (isinstance(reward_thresholds, (str, bytes)) or not isinstance(reward_thresholds, (Sequence, np.ndarray))
            or len(reward_thresholds) != 2):
        raise TeacherError(f"teacher {teacher!r}: reward_thresholds must be a (low, high) pair of numbers, "
                           f"got {reward_thresholds!r}")
    low, high = (checked_real(teacher, "reward_thresholds", value) for value in reward_thresholds)
    if not low < high:
        raise TeacherError(f"teacher {teacher!r}: reward_thresholds must have low < high, got ({low:g}, {high:g})")
    return low, high


def _initial_unit_task(teacher: str, task_space: TaskSpace, initial_task: object,
                       initial_distribution: Mapping[str, Any] | None, rng: np.random.Generator) -> np.ndarray:
    """The initial task in the unit cube, from ``initial_task`` (``"random"``: a uniform draw from ``rng``), the
    mean of ``initial_distribution``, or the space's default task."""
    if initial_task is not None and initial_distribution is not None:
        raise TeacherError(f"teacher {teacher!r}: give initial_task or initial_distribution (whose mean is the "
                           f"initial task), not both")
    if initial_distribution is not None:
        return checked_distribution(teacher, "initial_distribution", task_space, initial_distribution)[0]
    if initial_task is None:
        return task_space.normalize(task_space.default)
    if isinstance(initial_task, str):
        if initial_task != RANDOM_INITIAL_TASK:
            raise TeacherError(f"teacher {teacher!r}: initial_task must be a task or {RANDOM_INITIAL_TASK!r}, "
                               f"got {initial_task!r}")
        # Through the task space, so an integer dimension starts on one of its values.
        return task_space.normalize(task_space.denormalize(rng.random(task_space.ndim)))
    try:
        return task_space.normalize(task_space.validate(initial_task))
    except TaskError as error:
        raise TeacherError(f"teacher {teacher!r}: initial_task: {error}") from None
