"""The Teacher base class: what every curriculum algorithm offers, and the bookkeeping they all share.

A teacher chooses the next task from the student's results. The public methods validate input, convert between the
task space and the unit cube ``[0, 1]^d`` that every algorithm works in, seed and own the random generator, and
snapshot the state for exact resume; a subclass implements only the algorithm, in ``_sample`` and ``_update``
(SB3's template-method style).
"""

from __future__ import annotations

import copy
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from teachgym.errors import TeachgymError
from teachgym.task_space import TaskSpace
from teachgym.validation import check_number

STATE_VERSION = 1


class TeacherError(TeachgymError, ValueError):
    """A teacher was misconfigured or given input it cannot use (missing expert knowledge, a bad state ...)."""


class Teacher(ABC):
    """Base class of every teacher.

    Args:
        task_space: the tasks the teacher may choose.
        seed: seed of the teacher's own ``numpy.random.Generator`` (None: fresh entropy).
        reward_range: ``(low, high)`` episode-return bounds: expert knowledge that some teachers need to normalise
            returns (:meth:`normalized_return`); a teacher that needs it sets ``requires_reward_range``.

    Subclasses take their own hyperparameters as keyword arguments of ``__init__`` and pass the base ones on
    (``def __init__(self, task_space, *, fit_rate=250, **base)`` then ``super().__init__(task_space, **base)``),
    list the attributes that make up their state in ``state_attributes`` (copied deeply by :meth:`state_dict`),
    and may declare named hyperparameter ``presets`` (e.g. TeachMyAgent's benchmark values).
    """

    name: ClassVar[str] = ""
    presets: ClassVar[dict[str, dict[str, Any]]] = {}
    requires_reward_range: ClassVar[bool] = False
    state_attributes: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        seed: int | None = None,
        reward_range: Sequence[float] | None = None,
    ):
        if not isinstance(task_space, TaskSpace):
            raise TeacherError(f"teacher {self.name!r} needs a teachgym.TaskSpace, got {type(task_space).__name__}")
        self.task_space = task_space
        self.ndim = task_space.ndim
        self.rng = np.random.default_rng(seed)
        self.reward_range = _checked_reward_range(reward_range)
        if self.requires_reward_range and self.reward_range is None:
            raise TeacherError(
                f"teacher {self.name!r} needs expert knowledge of the episode returns: pass reward_range=(low, high)"
            )
        self.episodes = 0

    # ------------------------------------------------------------------------------------------------ public API
    def sample_task(self) -> np.ndarray:
        """The next task to train on: a fresh vector inside ``task_space``."""
        unit = np.clip(np.asarray(self._sample(), dtype=np.float64), 0.0, 1.0)
        return self.task_space.denormalize(unit)

    def update(self, task: np.ndarray | Sequence[float] | Mapping[str, float], episode_return: float, *,
               success: bool | None = None) -> None:
        """Tell the teacher the return (and optionally success) of an episode on ``task``.

        Raises:
            TaskError: if the task is not in ``task_space``.
            ValueError: if the return is NaN or infinite, or ``success`` is not a bool.
            Nothing changes in the teacher when it raises.
        """
        vector = self.task_space.validate(task)
        episode_return = _checked_return(episode_return)
        if success is not None and not isinstance(success, (bool, np.bool_)):
            raise TeacherError(f"success must be True, False or None, got {success!r}")
        self._update(self.task_space.normalize(vector), episode_return, None if success is None else bool(success))
        self.episodes += 1

    def metrics(self) -> dict[str, float]:
        """Figures worth logging (always ``episodes``; each teacher adds its own, e.g. mean ALP)."""
        return {"episodes": float(self.episodes), **{k: float(v) for k, v in self._metrics().items()}}

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume exactly: the random generator, the episode count and the algorithm state."""
        return {
            "teacher": self.name,
            "version": STATE_VERSION,
            "task_space": self.task_space.to_config(),
            "rng": copy.deepcopy(self.rng.bit_generator.state),
            "episodes": self.episodes,
            "algorithm": {name: copy.deepcopy(getattr(self, name)) for name in self.state_attributes},
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore a :meth:`state_dict`; the teacher then samples exactly as the one that saved it would.

        Raises:
            TeacherError: if the state is malformed or belongs to another teacher or task space.
        """
        required = {"teacher", "version", "task_space", "rng", "episodes", "algorithm"}
        if not isinstance(state, Mapping) or not required <= set(state):
            missing = sorted(required - set(state)) if isinstance(state, Mapping) else sorted(required)
            raise TeacherError(f"not a teacher state: missing {missing}")
        if state["teacher"] != self.name:
            raise TeacherError(f"state of teacher {state['teacher']!r} cannot be loaded into {self.name!r}")
        if state["version"] != STATE_VERSION:
            raise TeacherError(
                f"teacher state version {state['version']!r} is not supported (expected {STATE_VERSION})"
            )
        if TaskSpace.from_config(state["task_space"]) != self.task_space:
            raise TeacherError("teacher state was saved for another task space")
        algorithm = state["algorithm"]
        missing = [name for name in self.state_attributes if name not in algorithm]
        if missing:
            raise TeacherError(f"teacher state of {self.name!r} lacks {missing}")
        rng = np.random.default_rng()
        rng.bit_generator.state = copy.deepcopy(state["rng"])
        self.rng = rng
        self.episodes = int(state["episodes"])
        for name in self.state_attributes:
            setattr(self, name, copy.deepcopy(algorithm[name]))

    def normalized_return(self, episode_return: float) -> float:
        """The return mapped linearly from ``reward_range`` to [0, 1] (not clipped), or unchanged without one."""
        if self.reward_range is None:
            return episode_return
        low, high = self.reward_range
        return (episode_return - low) / (high - low)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(task_space={self.task_space!r}, episodes={self.episodes})"

    # ----------------------------------------------------------------------------------------- algorithm hooks
    @abstractmethod
    def _sample(self) -> np.ndarray:
        """The next task in the unit cube (values outside [0, 1] are clipped)."""

    @abstractmethod
    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        """Learn from an episode: ``unit_task`` is normalised, ``episode_return`` raw (see normalized_return)."""

    def _metrics(self) -> dict[str, float]:
        return {}


def _checked_reward_range(reward_range: Sequence[float] | None) -> tuple[float, float] | None:
    if reward_range is None:
        return None
    try:
        low, high = (float(v) for v in reward_range)
    except (TypeError, ValueError):
        raise TeacherError(f"reward_range must be a (low, high) pair of numbers, got {reward_range!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise TeacherError(f"reward_range must be finite with low < high, got ({low}, {high})")
    return low, high


def _checked_return(episode_return: object) -> float:
    return check_number("episode_return", episode_return, error=TeacherError)
