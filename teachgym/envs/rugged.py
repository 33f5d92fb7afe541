"""The rugged-difficulty challenge (TeachMyAgent): the teacher sees the task space with its intervals shuffled.

Each dimension is cut into ``intervals`` equal intervals, and the teacher's interval ``k`` stands for the env's
interval ``permutation[k]`` (a seeded permutation per dimension). Inside an interval the map is a shift, so neighbouring
tasks stay neighbours only within an interval: difficulty, smooth in the env's coordinates, is rugged in the
teacher's. The simulated students' ``rugged_intervals`` variant draws the same permutations from the same seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, SupportsFloat

import gymnasium as gym
import numpy as np

from ..errors import TeachgymError
from ..task_space import TaskLike, TaskSpace
from ..validation import is_integer
from .parametric import ExpertKnowledge

__all__ = ["RuggedDifficulty", "interval_permutations"]


def interval_permutations(ndim: int, intervals: int, seed: int) -> list[np.ndarray]:
    """One permutation of ``range(intervals)`` per dimension, drawn from ``numpy.random.default_rng(seed)``; never
    the identity when ``intervals > 1`` (an unshuffled dimension would be no challenge)."""
    rng = np.random.default_rng(seed)
    identity = np.arange(intervals)
    permutations = []
    for _ in range(ndim):
        permutation = identity
        while intervals > 1 and np.array_equal(permutation, identity):
            permutation = rng.permutation(intervals)
        permutations.append(permutation)
    return permutations


class RuggedDifficulty(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """Shows a parametric env's task space to the teacher with each dimension's intervals permuted.

    The teacher's tasks (``set_task`` on this wrapper, which SB3's ``env_method("set_task", ...)`` finds first, or
    ``reset(options={"task": ...})``) are mapped to the env's coordinates by :meth:`to_env_task`; ``info["task"]``
    on reset and step, :attr:`task`, :attr:`task_space`'s default and :meth:`expert_knowledge` are reported in
    the teacher's coordinates (:meth:`to_teacher_task`), so returns are credited to the task the teacher chose.
    Test sets stay in the env's own coordinates: evaluate on an env without this wrapper.

    The map is a piecewise shift, a bijection of the space: the intervals are right-open, ``[e_k, e_k+1)``, and the
    upper bound maps to itself, so an interval's left edge maps to its image's left edge.

    Args:
        env: a parametric env (its ``task_space`` and ``set_task`` are found through gymnasium's wrapper chain).
        intervals: equal intervals per dimension (1 leaves the space as it is).
        seed: draws the permutations (:func:`interval_permutations`); the run's seed in the benchmark.

    Raises:
        TeachgymError: for an env without a task space, a task space with integer dimensions, ``intervals`` below 1
            or a negative seed.
    """

    def __init__(self, env: gym.Env, intervals: int = 4, *, seed: int):
        gym.utils.RecordConstructorArgs.__init__(self, intervals=intervals, seed=seed)
        super().__init__(env)
        for name, value, minimum in (("intervals", intervals, 1), ("seed", seed, 0)):
            if not is_integer(value) or value < minimum:
                raise TeachgymError(f"RuggedDifficulty: {name} must be an integer >= {minimum}, got {value!r}")
        try:
            env_space: TaskSpace = env.get_wrapper_attr("task_space")
        except AttributeError:
            raise TeachgymError(f"RuggedDifficulty needs a parametric env with a task_space, got {env}") from None
        if env_space.integer.any():
            integer = [name for name, discrete in zip(env_space.names, env_space.integer) if discrete]
            raise TeachgymError(f"RuggedDifficulty shifts intervals of continuous dimensions; {integer} are integer")
        self.intervals = int(intervals)
        self.seed = int(seed)
        self._env_space = env_space
        self._permutations = tuple(_read_only(p) for p in interval_permutations(env_space.ndim, intervals, seed))
        self._inverses = tuple(_read_only(np.argsort(p)) for p in self._permutations)
        self._edges = [_edges(low, high, self.intervals) for low, high in zip(env_space.low, env_space.high)]
        self._task_space = TaskSpace(env_space.bounds, default=self._move(env_space.default, self._inverses))

    # ------------------------------------------------------------------------------------------------ the map
    @property
    def task_space(self) -> TaskSpace:
        """The teacher's task space: the env's bounds, with the env's default task in the teacher's coordinates."""
        return self._task_space

    @property
    def permutations(self) -> tuple[np.ndarray, ...]:
        """Per dimension, the env interval of every teacher interval (read-only)."""
        return self._permutations

    def to_env_task(self, task: TaskLike) -> np.ndarray:
        """The env's task for a teacher's task (a fresh vector).

        Raises:
            TaskError: if ``task`` is not in the task space.
        """
        return self._move(self._task_space.validate(task), self._permutations)

    def to_teacher_task(self, task: TaskLike) -> np.ndarray:
        """The teacher's task for an env's task (a fresh vector): the inverse of :meth:`to_env_task`.

        Raises:
            TaskError: if ``task`` is not in the task space.
        """
        return self._move(self._env_space.validate(task), self._inverses)

    # ------------------------------------------------------------------------------------ the env contract
    def set_task(self, task: TaskLike) -> None:
        """Use the teacher's ``task`` from the next reset on.

        Raises:
            TaskError: if the task is not in the task space; the pending task is then left unchanged.
        """
        self.env.get_wrapper_attr("set_task")(self.to_env_task(task))

    @property
    def task(self) -> dict[str, float]:
        """The running episode's task in the teacher's coordinates (a fresh dict)."""
        return self._teacher_dict(self.env.get_wrapper_attr("task"))

    def expert_knowledge(self) -> ExpertKnowledge:
        """The env's expert knowledge with the easy initial distribution's mean in the teacher's coordinates."""
        knowledge: ExpertKnowledge = self.env.get_wrapper_attr("expert_knowledge")()
        distribution = dict(knowledge.initial_distribution)
        distribution["mean"] = self.to_teacher_task(distribution["mean"]).tolist()
        return replace(knowledge, initial_distribution=distribution)

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[Any, dict[str, Any]]:
        """Reset the env, mapping ``options["task"]`` (the teacher's) to the env's coordinates."""
        if isinstance(options, Mapping) and options.get("task") is not None:
            options = {**options, "task": self.to_env_task(options["task"])}
        observation, info = self.env.reset(seed=seed, options=options)
        info["task"] = self._teacher_dict(info["task"])
        return observation, info

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        """Step the env; ``info["task"]`` is in the teacher's coordinates."""
        observation, reward, terminated, truncated, info = self.env.step(action)
        info["task"] = self._teacher_dict(info["task"])
        return observation, reward, terminated, truncated, info

    # ------------------------------------------------------------------------------------------------ helpers
    def _teacher_dict(self, env_task: Mapping[str, float]) -> dict[str, float]:
        return self._task_space.to_dict(self.to_teacher_task(env_task))

    def _move(self, task: np.ndarray, orders: tuple[np.ndarray, ...]) -> np.ndarray:
        """Shift every value from its interval ``k`` to interval ``order[k]`` of its dimension."""
        moved = np.array(task, dtype=np.float64)
        for dimension, (edges, order) in enumerate(zip(self._edges, orders)):
            value = moved[dimension]
            k = int(np.searchsorted(edges, value, side="right")) - 1
            if k >= self.intervals:  # the upper bound (or a zero-width dimension) is a fixed point
                continue
            j = int(order[k])
            # Rounding must not carry a value onto its image's right edge: the inverse would pick the next interval.
            moved[dimension] = min(edges[j] + (value - edges[k]), np.nextafter(edges[j + 1], -np.inf))
        return moved


def _edges(low: float, high: float, intervals: int) -> np.ndarray:
    """The ``intervals + 1`` interval edges of ``[low, high]``, the outer ones exactly the bounds."""
    edges = low + (high - low) * np.arange(intervals + 1) / intervals
    edges[0], edges[-1] = low, high
    return edges


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.array(array)
    array.flags.writeable = False
    return array
