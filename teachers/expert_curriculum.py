"""Expert easy-to-hard: a hand-designed linear curriculum from an expert's easy tasks to the target distribution."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from teachgym.task_space import TaskSpace

from .base import Teacher, TeacherError
from .checks import checked_distribution, checked_integer, checked_real
from .registry import register_teacher

UNIFORM = "uniform"


@register_teacher("expert-easy-to-hard")
class ExpertCurriculumTeacher(Teacher):
    """Expert easy-to-hard curriculum: tasks move linearly from an expert's easy Gaussian (``initial_distribution``)
    to the target distribution over ``curriculum_length`` episodes: the hand-designed baseline that automatic
    curricula are compared with, built on TeachMyAgent's "high" expert knowledge (Romac et al., ICML 2021).

    At progress ``p`` in [0, 1], a task comes from the target with probability ``p``, otherwise from the initial
    Gaussian: the task distribution is the mixture ``(1 - p) * initial + p * target``. This one definition holds for
    every target (the default, uniform over the space, is no Gaussian, so its parameters could not be interpolated),
    starts exactly at the initial distribution, ends exactly at the target, and moves the mean task linearly.
    Gaussian draws are clipped to the space (by the base class, as for every teacher).

    Progress is ``curriculum episodes / curriculum_length``, capped at 1. Every episode counts, unless
    ``success_threshold`` is given: then an episode counts only when the mean normalised return of the last
    ``success_window`` episodes is at least the threshold, so the curriculum waits while the student struggles (and,
    as the mixture grows harder, slows down by itself).

    Args:
        initial_distribution: expert knowledge (required): ``{"mean": ..., "std": ...}`` in task units (vectors of
            length ``ndim`` or mappings name -> value); for Stump Tracks, mean at stump height 0 and the widest
            spacing, std 10% of each range.
        target_distribution: ``"uniform"`` (the whole space; default) or a Gaussian given like
            ``initial_distribution``.
        curriculum_length: episodes (counted as above) from the initial distribution to the target (>= 1). Default
            10,000 (a teachgym choice): a large part of a 20M-step walker run, whose episodes last up to 2,000
            steps, so the student meets the whole target well before the end.
        success_threshold: None (advance every episode) or the mean normalised return (0 at ``reward_range``'s low,
            1 at its high, so ``reward_range`` is then required) that recent episodes must reach to advance.
        success_window: episodes in that mean (>= 1; default 100, a teachgym choice).
    """

    state_attributes: ClassVar[tuple[str, ...]] = ("curriculum_episodes", "recent_returns", "recent_count")

    def __init__(self, task_space: TaskSpace, *, initial_distribution: Mapping[str, Any] | None = None,
                 target_distribution: str | Mapping[str, Any] = UNIFORM, curriculum_length: int = 10_000,
                 success_threshold: float | None = None, success_window: int = 100, **base: Any):
        super().__init__(task_space, **base)
        if initial_distribution is None:
            raise TeacherError(
                f"teacher {self.name!r} needs expert knowledge of easy tasks: pass initial_distribution="
                f"{{'mean': [...], 'std': [...]}} in task units (one value per parameter {list(task_space.names)})"
            )
        self.initial = checked_distribution(self.name, "initial_distribution", task_space, initial_distribution)
        self.target = self._checked_target(target_distribution)
        self.curriculum_length = checked_integer(self.name, "curriculum_length", curriculum_length, minimum=1)
        self.success_window = checked_integer(self.name, "success_window", success_window, minimum=1)
        self.success_threshold = (None if success_threshold is None
                                  else checked_real(self.name, "success_threshold", success_threshold))
        if self.success_threshold is not None and self.reward_range is None:
            raise TeacherError(f"teacher {self.name!r}: success_threshold is a normalised return, which needs "
                               f"expert knowledge of the returns: pass reward_range=(low, high)")
        self.curriculum_episodes = 0
        # The last ``success_window`` normalised returns, as a ring buffer filled ``recent_count`` times.
        self.recent_returns = np.zeros(self.success_window)
        self.recent_count = 0

    @property
    def progress(self) -> float:
        """Share of the curriculum done, in [0, 1]: the probability that a task comes from the target."""
        return min(1.0, self.curriculum_episodes / self.curriculum_length)

    def _checked_target(self, target: object) -> tuple[np.ndarray, np.ndarray] | None:
        if isinstance(target, Mapping):
            return checked_distribution(self.name, "target_distribution", self.task_space, target)
        if target != UNIFORM:
            raise TeacherError(f"teacher {self.name!r}: target_distribution must be {UNIFORM!r} or a Gaussian "
                               f"{{'mean': [...], 'std': [...]}} in task units, got {target!r}")
        return None

    def _sample(self) -> np.ndarray:
        if self.rng.random() < self.progress:
            if self.target is None:
                return self.rng.uniform(size=self.ndim)
            mean, std = self.target
        else:
            mean, std = self.initial
        return mean + std * self.rng.standard_normal(self.ndim)

    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        self.recent_returns[self.recent_count % self.success_window] = self.normalized_return(episode_return)
        self.recent_count += 1
        if self.success_threshold is None or (self.recent_count >= self.success_window
                                              and self.recent_returns.mean() >= self.success_threshold):
            self.curriculum_episodes += 1

    def _metrics(self) -> dict[str, float]:
        recent = self.recent_returns[:min(self.recent_count, self.success_window)]
        return {"progress": self.progress, "recent_return": float(recent.mean()) if recent.size else 0.0}
