"""Covar-GMM: sample tasks from Gaussian mixtures fitted over (task, time, return), where returns rise over time
(Moulin-Frier, Nguyen & Oudeyer, "Self-organization of early vocal development in infants and machines: the role
of intrinsic motivation", Frontiers in Psychology 2014; as benchmarked in TeachMyAgent, Romac et al., ICML 2021)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from teachgym.task_space import TaskSpace

from .base import TeacherError
from .gmm import GaussianMixture
from .gmm_teacher import GMMTeacher, tma_preset
from .registry import register_teacher


@register_teacher("covar-gmm")
class CovarGMMTeacher(GMMTeacher):
    """Covar-GMM (Moulin-Frier et al., 2014).

    Every ``fit_rate`` episodes Gaussian mixtures are fitted on the rows ``[unit task, relative time, return]`` of
    those episodes (relative time: the episode's position in that window, from 0 to 1; returns scaled by
    ``reward_range`` when given), keeping the lowest AIC over ``potential_ks``. A component's learning progress is
    its time-return covariance: tasks come from a component chosen in proportion to its positive part (its
    absolute value with ``absolute_lp``), uniformly among components when all are 0; with probability
    ``random_task_ratio`` a task is uniform instead.

    Args:
        fit_rate: episodes between two mixture fits, and rows per fit (reference 250; TeachMyAgent 150).
        random_task_ratio: share of uniform tasks once a mixture is fitted (reference 0.2; TeachMyAgent 0.1).
        potential_ks: component counts tried at each fit (reference 2..10; TeachMyAgent 2..14).
        absolute_lp: also favour components whose returns fall (forgetting), by |covariance| (reference False).
        nb_em_init, initial_distribution, normalize_returns (the returns the fits see), seed, reward_range: see
            :class:`~teachgym.teachers.gmm_teacher.GMMTeacher`.

    Preset ``"tma"``: TeachMyAgent's benchmark scripts (``--fit_rate 150 --random_percentage 10 --min_k 2 --max_k
    15``, ks from ``arange(min_k, max_k)``) with raw returns (``scale_reward`` never set).
    """

    presets: ClassVar[dict[str, dict[str, Any]]] = {"tma": tma_preset(random_percentage=10, max_k=15)}
    state_attributes: ClassVar[tuple[str, ...]] = (*GMMTeacher.state_attributes, "window", "window_size")

    def __init__(self, task_space: TaskSpace, *, fit_rate: int = 250, random_task_ratio: float = 0.2,
                 potential_ks: Sequence[int] = tuple(range(2, 11)), nb_em_init: int = 1, absolute_lp: bool = False,
                 initial_distribution: Mapping[str, Any] | None = None, normalize_returns: bool = True, **base: Any):
        super().__init__(task_space, fit_rate=fit_rate, random_task_ratio=random_task_ratio,
                         potential_ks=potential_ks, nb_em_init=nb_em_init,
                         initial_distribution=initial_distribution, normalize_returns=normalize_returns, **base)
        if not isinstance(absolute_lp, (bool, np.bool_)):
            raise TeacherError(f"teacher {self.name!r}: absolute_lp must be True or False, got {absolute_lp!r}")
        self.absolute_lp = bool(absolute_lp)
        # The episodes since the last fit, as rows [unit task..., relative time, return].
        self.window = np.zeros((self.fit_rate, self.ndim + 2))
        self.window_size = 0

    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        row = self.window[self.window_size]
        row[:self.ndim] = unit_task
        row[self.ndim] = self.window_size / (self.fit_rate - 1)
        row[self.ndim + 1] = self.fitted_return(episode_return)
        self.window_size += 1
        if self.window_size == self.fit_rate:
            self._refit(self.window)
            self.window_size = 0

    def _component_interest(self, mixture: GaussianMixture) -> np.ndarray:
        covariance = mixture.covariances[:, -2, -1]
        return np.abs(covariance) if self.absolute_lp else covariance

    def _metrics(self) -> dict[str, float]:
        positive = 0.0 if self.mixture is None else float(np.maximum(self.mixture.covariances[:, -2, -1], 0.0).mean())
        return {**super()._metrics(), "mean_positive_covariance": positive}
