"""Sampling for Learnability (SFL): train on the tasks the student solves about half of the time.

Rutherford, Beukman, Willi, Lacerda, Hawes & Foerster (2024), "No Regrets: Investigating and Improving Regret
Approximations for Curriculum Discovery" (NeurIPS 2024); reference code: amacrutherford/sampling-for-learnability.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from teachgym.task_space import TaskSpace

from .base import TeacherError
from .checks import checked_integer, checked_real
from .evaluation_rollouts import EvaluatingTeacher
from .registry import register_teacher


@register_teacher("sfl")
class SFLTeacher(EvaluatingTeacher):
    """Keeps the tasks of highest learnability ``p (1 - p)``, ``p`` the student's success rate, and trains on a mix
    of them and uniform tasks.

    At the first ``sample_task()`` and then every ``refresh_period`` samples, the teacher draws ``n_candidates``
    uniform tasks, asks for ``n_rollouts`` evaluation episodes of the current student on each (the protocol of
    :mod:`teachgym.teachers.evaluation_rollouts`: these episodes do not train the student), and keeps the
    ``buffer_size`` candidates with the highest ``p (1 - p)`` as its buffer. Each sample is, with probability
    ``buffer_ratio``, a uniformly chosen buffered task, and otherwise a new uniform task. The teacher learns nothing
    from the training episodes themselves.

    Hyperparameters (defaults: the paper's single-agent JaxNav configuration where it carries over; its refresh
    period of 50 PPO updates and its rollouts of 1000 steps per candidate have no episode equivalent here):
        refresh_period: samples between two refreshes of the buffer (1000).
        n_candidates: uniform tasks evaluated at each refresh (5000: 5 batches of 1000).
        n_rollouts: evaluation episodes per candidate (10).
        buffer_size: candidates kept, the top-k (100).
        buffer_ratio: probability that a sample is a buffered task (0.5: 128 of 256 envs).

    Presets: ``"minigrid"`` (the paper's maze configuration: 25000 candidates, 1000 kept) and ``"simulated"``
    (the teacher benchmark's simulated students, whose runs last a few thousand one-step episodes: a refresh every
    200 samples). Metrics: ``buffer_learnability`` and ``candidate_learnability`` (mean ``p (1 - p)`` of the buffer
    and of all candidates at the last refresh), ``buffer_share`` (of all samples so far) and ``refreshes``.
    """

    presets = {
        "minigrid": {"n_candidates": 25000, "buffer_size": 1000},
        "simulated": {"refresh_period": 200},
    }
    state_attributes = ("buffer", "buffer_learnability", "candidate_learnability", "samples", "buffer_samples",
                        "refreshes")

    def __init__(self, task_space: TaskSpace, *, refresh_period: int = 1000, n_candidates: int = 5000,
                 n_rollouts: int = 10, buffer_size: int = 100, buffer_ratio: float = 0.5, **base: Any):
        name = self.name
        self.refresh_period = checked_integer(name, "refresh_period", refresh_period, minimum=1)
        self.n_candidates = checked_integer(name, "n_candidates", n_candidates, minimum=1)
        self.n_rollouts = checked_integer(name, "n_rollouts", n_rollouts, minimum=1)
        self.buffer_size = checked_integer(name, "buffer_size", buffer_size, minimum=1)
        if self.buffer_size > self.n_candidates:
            raise TeacherError(f"teacher {name!r}: buffer_size ({self.buffer_size}) cannot exceed n_candidates "
                               f"({self.n_candidates}), the tasks it is chosen from")
        self.buffer_ratio = checked_real(name, "buffer_ratio", buffer_ratio, low=0.0, high=1.0)
        super().__init__(task_space, **base)
        self.buffer = np.zeros((0, self.ndim))
        self.buffer_learnability = np.zeros(0)
        self.candidate_learnability = 0.0
        self.samples = 0
        self.buffer_samples = 0
        self.refreshes = 0

    def _sample(self) -> np.ndarray:
        if self.samples % self.refresh_period == 0:
            self._refresh()
        self.samples += 1
        if self.rng.random() < self.buffer_ratio:
            self.buffer_samples += 1
            return self.buffer[self.rng.integers(len(self.buffer))].copy()
        return self.rng.uniform(0.0, 1.0, self.ndim)

    def _refresh(self) -> None:
        """Evaluate new uniform candidates and keep the most learnable ones."""
        self.check_success_evaluator()  # before any draw: a teacher that raises stays as it was
        candidates = self.rng.uniform(0.0, 1.0, (self.n_candidates, self.ndim))
        rates = self.success_rates(candidates, self.n_rollouts)
        learnability = rates * (1.0 - rates)
        kept = np.argsort(-learnability, kind="stable")[:self.buffer_size]
        self.buffer = candidates[kept]
        self.buffer_learnability = learnability[kept]
        self.candidate_learnability = float(learnability.mean())
        self.refreshes += 1

    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        """SFL chooses its tasks from evaluation rollouts alone; training episodes teach it nothing."""

    def _metrics(self) -> dict[str, float]:
        return {
            "buffer_learnability": float(self.buffer_learnability.mean()) if self.refreshes else 0.0,
            "candidate_learnability": self.candidate_learnability,
            "buffer_share": self.buffer_samples / self.samples if self.samples else 0.0,
            "refreshes": float(self.refreshes),
        }
