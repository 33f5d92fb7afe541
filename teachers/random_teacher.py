"""Random: tasks drawn uniformly from the task space, the baseline every curriculum is compared with."""

from __future__ import annotations

import numpy as np

from .base import Teacher
from .registry import register_teacher


@register_teacher("random")
class RandomTeacher(Teacher):
    """Samples every task uniformly at random; learns nothing from returns."""

    def _sample(self) -> np.ndarray:
        return self.rng.uniform(0.0, 1.0, self.ndim)

    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        return None
