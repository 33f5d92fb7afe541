"""The base of the classic family: a parametric env that *is* one of gymnasium's env classes.

Each env subclasses gymnasium's own class (``class CartPole(ClassicEnv, CartPoleEnv)``), so gymnasium's dynamics,
reset, rendering and spaces run unchanged; a task only sets the physical attributes that those dynamics read
(``_apply_task``). Where gymnasium hard-codes a quantity that a task varies, the env writes that part itself and
its docstring says so.

The order of a reset matters: the task's physics must be in place before gymnasium's reset runs (Lunar Lander builds
its world and steps once in reset), and gymnasium's reset must draw from the seeded generator exactly as the
original does. :class:`ParametricEnv.reset` chooses the task and seeds through ``super().reset(seed=seed)``; in
the MRO ``ClassicEnv, ParametricEnv, _SeedOnlyReset, <gymnasium class>``, that call lands on
:class:`_SeedOnlyReset`, which only seeds. ``_reset_task`` then applies the task and calls gymnasium's reset
(with no seed: the generator is already seeded), so the default task draws the same numbers as the original env.
"""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium.utils import EzPickle

from ...task_space import TaskSpace
from ..parametric import ParametricEnv


class _SeedOnlyReset(gym.Env):
    """Sits between :class:`ParametricEnv` and the gymnasium class in the MRO (see the module docs)."""

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """Only seed ``self.np_random``: gymnasium's reset runs later, from ``_reset_task``."""
        gym.Env.reset(self, seed=seed)

    def _gymnasium_reset(self) -> tuple[np.ndarray, dict[str, Any]]:
        """Gymnasium's own reset (the class after this one in the MRO), from the already seeded generator."""
        return super().reset()


class ClassicEnv(ParametricEnv, _SeedOnlyReset, EzPickle):
    """Task bookkeeping around a gymnasium env class; subclasses list it first, then the gymnasium class.

    A subclass sets ``DEFAULT_TASK_SPACE`` (default task = gymnasium's values) and ``GYMNASIUM_ID``, calls the
    gymnasium ``__init__`` and then :meth:`_init_task_space` in its constructor, writes the task into gymnasium's
    attributes in ``_apply_task``, starts its per-episode counters in ``_start_episode`` and implements ``_step`` as
    gymnasium's ``step`` plus ``info["success"]`` (``ParametricEnv.step`` adds ``info["task"]``).
    """

    DEFAULT_TASK_SPACE: ClassVar[TaskSpace]
    GYMNASIUM_ID: ClassVar[str]  # the gymnasium env that the default task reproduces

    def _init_task_space(self, render_mode: str | None, task_bounds: dict[str, tuple[float, float]]) -> None:
        """Check ``render_mode``, record the constructor arguments for pickling and build the task space.

        Raises:
            EnvOptionError: for a render mode gymnasium's class does not offer.
            TaskError: for bounds of an unknown task parameter (with a "did you mean") or bad bounds.
        """
        self._set_render_mode(render_mode)
        # After gymnasium's __init__: Lunar Lander's EzPickle.__init__ records its own arguments, ours replace them.
        EzPickle.__init__(self, render_mode=render_mode, **task_bounds)
        self.task_space = self.DEFAULT_TASK_SPACE.with_bounds(task_bounds)
        self._task_dict = self.task_space.to_dict(self.task_space.default)
        self._task_dict_values = tuple(self._task_dict.values())

    def task_info(self) -> dict[str, float]:
        """A fresh dict of the running episode's task, for ``info["task"]``.

        A copy of ``_task_dict``, which is rebuilt only when the task changes: these envs step in microseconds.
        """
        return self._task_dict.copy()

    def _reset_task(self, task: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        self._apply_task(*self._task_values)
        if self._task_values != self._task_dict_values:
            self._task_dict = dict(zip(self.task_space.names, self._task_values))
            self._task_dict_values = self._task_values
        observation, info = self._gymnasium_reset()
        self._start_episode()
        info["success"] = False
        return observation, info

    def _apply_task(self, *values: float) -> None:
        """Write the task (one float per task parameter, in the space's order) into gymnasium's attributes."""
        raise NotImplementedError

    def _start_episode(self) -> None:
        """Reset the per-episode counters that the success criterion needs (after gymnasium's reset)."""
