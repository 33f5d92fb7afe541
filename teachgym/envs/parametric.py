"""The parametric-environment contract every teachgym env follows (design.md section 2).

A parametric env has a :class:`~teachgym.TaskSpace`; a task is chosen per episode. ``set_task`` stores the task of
the following resets (vectorised training needs this: automatic resets pass no options), ``reset(options={"task":
...})`` overrides it for one reset, and ``info["task"]`` on every reset and step says which task the running episode
has, so a finished episode is always credited to the task it really had.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from ..errors import EnvOptionError, TaskError, did_you_mean
from ..task_space import TaskLike, TaskSpace
from ..test_sets import DEFAULT_TEST_SET_SEED, DEFAULT_TEST_SET_SIZE, TestSet

RESET_OPTIONS = ("task",)
# Width of the expert's easy initial distribution, as a share of each dimension's range (TeachMyAgent: 10%).
EASY_TASK_STD_SHARE = 0.1


@dataclass(frozen=True)
class ExpertKnowledge:
    """What an expert may tell a teacher about an env, as in TeachMyAgent's expert-knowledge levels.

    ``reward_range`` and ``reward_thresholds`` (low / high return of a task, e.g. for ADR) are the "low" level;
    ``initial_distribution`` (a Gaussian in task units around an easy task) is added at the "high" level.
    """

    reward_range: tuple[float, float]
    reward_thresholds: tuple[float, float]
    initial_distribution: dict[str, list[float]]


class ParametricEnv(gym.Env):
    """Base class: task bookkeeping around a subclass's ``_reset_task`` and ``_step``.

    Subclasses set ``self.task_space`` in their constructor, implement ``_reset_task(task) -> (obs, info)`` (the
    world is built from the validated task vector, all randomness from ``self.np_random``) and ``_step(action) ->
    (obs, reward, terminated, truncated, info)``, declare ``REWARD_RANGE`` (bounds of an episode's return) and
    ``REWARD_THRESHOLDS`` (a return below the first means failing a task, above the second doing well), and make
    their default task the easy end of the space. ``reset`` and ``step`` add ``info["task"]`` to what the hooks
    return. (An env whose ``step`` must be another class's, as the classic family's gymnasium classes, may override
    ``step`` itself and put ``self.task_info()`` into its info.)
    """

    task_space: TaskSpace
    REWARD_RANGE: ClassVar[tuple[float, float]]
    REWARD_THRESHOLDS: ClassVar[tuple[float, float]]
    _pending_task: np.ndarray | None = None
    _task: np.ndarray | None = None

    def _set_render_mode(self, render_mode: str | None) -> None:
        """Keep ``render_mode`` if the class's ``metadata["render_modes"]`` lists it (or it is None).

        Raises:
            EnvOptionError: naming the mode and the modes the env has.
        """
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise EnvOptionError(f"render_mode {render_mode!r} is not supported; expected one of "
                                 f"{self.metadata['render_modes']} or None")
        self.render_mode = render_mode

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

    def expert_knowledge(self) -> ExpertKnowledge:
        """The env's expert knowledge: its return bounds and thresholds, and an easy initial distribution centred on
        the default task (the easy end of every env's space) with a std of 10% of each dimension's range."""
        widths = self.task_space.high - self.task_space.low
        return ExpertKnowledge(
            reward_range=self.REWARD_RANGE,
            reward_thresholds=self.REWARD_THRESHOLDS,
            initial_distribution={
                "mean": self.task_space.default.tolist(),
                "std": (EASY_TASK_STD_SHARE * widths).tolist(),
            },
        )

    def named_test_sets(self) -> dict[str, TestSet]:
        """Reference test sets a run config may name besides ``"default"`` (e.g. Parkour's one per body kind);
        none by default."""
        return {}

    def default_test_set(self) -> TestSet:
        """The tasks a run evaluates on when its config names none: 100 uniform tasks of ``task_space`` drawn from
        seed 0, so every run of an env is tested on the same tasks. Envs with a reference test set override it."""
        return TestSet.uniform(self.task_space, DEFAULT_TEST_SET_SIZE, DEFAULT_TEST_SET_SEED)

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
        self._task_values = tuple(task.tolist())
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

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Run one step of the episode (the subclass's ``_step``) and add the episode's task to its info, so every
        step says which task it belongs to (a finished episode is credited to the task it really had)."""
        observation, reward, terminated, truncated, info = self._step(action)
        info["task"] = self.task_info()
        return observation, reward, terminated, truncated, info

    def _reset_task(self, task: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        """Build the episode of the validated task vector ``task``; return the first observation and the info."""
        raise NotImplementedError

    def _step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """One step of the running episode: observation, reward, terminated, truncated and the info (without the
        task, which :meth:`step` adds)."""
        raise NotImplementedError
