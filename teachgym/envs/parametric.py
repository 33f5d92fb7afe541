"""The parametric-environment contract every teachgym env follows (design.md section 2).

A parametric env has a :class:`~teachgym.TaskSpace`; a task is chosen per episode. ``set_task`` stores the task of
the following resets (vectorised training needs this: automatic resets pass no options), ``reset(options={"task":
...})`` overrides it for one reset, and ``info["task"]`` on every reset and step says which task the running episode
has, so a finished episode is always credited to the task it really had.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np

from ..errors import TaskError, did_you_mean
from ..task_space import TaskLike, TaskSpace

RESET_OPTIONS = ("task",)


class ParametricEnv(gym.Env):
    """Base class: task bookkeeping around a subclass's ``_reset_task`` and ``step``.

    Subclasses set ``self.task_space`` in their constructor, implement ``_reset_task(task) -> (obs, info)`` (the
    world is built from the validated task vector, all randomness from ``self.np_random``) and ``step``, and put
    ``self.task_info()`` into every step's info.
    """

    task_space: TaskSpace
    _pending_task: np.ndarray | None = None
    _task: np.ndarray | None = None

    def set_task(self, task: TaskLike) -> None:
        """Validate ``task`` and use it from the next reset on (until another ``set_task``).

        Raises:
            TaskError: if the task is not in ``task_space``; the pending task is then left unchanged.
        """
        self._pending_task = self.task_space.validate(task)

    @property
    def task(self) -> dict[str, float]:
        """The running episode's task as a fresh ``name -> value`` dict (the default task before any reset)."""
        return self.task_space.to_dict(self._task if self._task is not None else self.task_space.default)

    def task_info(self) -> dict[str, float]:
        """A fresh dict of the running episode's task, for ``info["task"]``."""
        return dict(zip(self.task_space.names, self._task_values))

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start an episode with ``options["task"]`` if given, else the pending task, else the default task.

        A bad task raises :class:`~teachgym.errors.TaskError` before anything changes, so the env stays usable.
        """
        task = self._choose_task(options)
        super().reset(seed=seed)
        self._task = task
        self._task_values = tuple(float(v) for v in task)
        observation, info = self._reset_task(task)
        info["task"] = self.task_info()
        return observation, info

    def _choose_task(self, options: Mapping[str, Any] | None) -> np.ndarray:
        if options is None:
            options = {}
        if not isinstance(options, Mapping):
            raise TaskError(f"reset options must be a dict, got {options!r}")
        for key in options:
            if key not in RESET_OPTIONS:
                raise TaskError(
                    f"unknown reset option {key!r}{did_you_mean(str(key), RESET_OPTIONS)}; "
                    f"expected one of {list(RESET_OPTIONS)}"
                )
        if options.get("task") is not None:
            return self.task_space.validate(options["task"])
        if self._pending_task is not None:
            return self._pending_task.copy()
        return np.array(self.task_space.default, dtype=np.float64)

    def _reset_task(self, task: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        raise NotImplementedError
