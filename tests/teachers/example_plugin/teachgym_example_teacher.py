"""An epsilon-greedy teacher: replays the task with the best return so far, explores uniformly otherwise."""

import numpy as np

from teachgym.teachers import Teacher, TeacherError


class GreedyTeacher(Teacher):
    """Replays the best task seen so far with probability 1 - ``epsilon``."""

    state_attributes = ("best_task", "best_return")

    def __init__(self, task_space, *, epsilon: float = 0.2, **base):
        super().__init__(task_space, **base)
        if not 0.0 <= epsilon <= 1.0:
            raise TeacherError(f"epsilon must be in [0, 1], got {epsilon!r}")
        self.epsilon = epsilon
        self.best_task, self.best_return = None, -np.inf

    def _sample(self) -> np.ndarray:
        if self.best_task is None or self.rng.random() < self.epsilon:
            return self.rng.uniform(0.0, 1.0, self.ndim)
        return self.best_task

    def _update(self, unit_task, episode_return, success) -> None:
        if episode_return > self.best_return:
            self.best_task, self.best_return = unit_task, episode_return
