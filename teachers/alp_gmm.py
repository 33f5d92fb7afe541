"""ALP-GMM: sample tasks from Gaussian mixtures fitted over (task, absolute learning progress), where the student
progresses most (Portelas, Colas, Hofmann & Oudeyer, "Teacher algorithms for curriculum learning of Deep RL in
continuously parameterized environments", CoRL 2019)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from teachgym.task_space import TaskSpace

from .alp import ALPHistory
from .gmm import GaussianMixture
from .gmm_teacher import GMMTeacher, tma_preset
from .registry import register_teacher


@register_teacher("alp-gmm")
class ALPGMMTeacher(GMMTeacher):
    """ALP-GMM (Portelas et al., CoRL 2019).

    Each episode's ALP is ``|return - return of the nearest earlier task|`` (returns scaled by ``reward_range``
    when given). Every ``fit_rate`` episodes Gaussian mixtures are fitted on the last ``fit_rate`` rows of
    ``[unit task, ALP]`` for every k in ``potential_ks`` and the lowest AIC is kept; a task then comes from a
    component chosen in proportion to its mean ALP (with probability ``random_task_ratio`` it is uniform instead).

    Args:
        fit_rate: episodes between two mixture fits, and rows per fit (reference 250; TeachMyAgent 150).
        random_task_ratio: share of uniform tasks once a mixture is fitted (reference 0.2; TeachMyAgent 0.05).
        potential_ks: component counts tried at each fit (reference 2..10; TeachMyAgent 2..9).
        nb_em_init, initial_distribution, normalize_returns (the returns ALP is computed from), seed,
            reward_range: see :class:`~teachgym.teachers.gmm_teacher.GMMTeacher`.

    Preset ``"tma"``: TeachMyAgent's benchmark scripts (``--fit_rate 150 --random_percentage 5 --min_k 2 --max_k
    10``, ks from ``arange(min_k, max_k)``) with raw returns (``scale_reward`` never set).
    """

    presets: ClassVar[dict[str, dict[str, Any]]] = {"tma": tma_preset(random_percentage=5, max_k=10)}
    state_attributes: ClassVar[tuple[str, ...]] = (*GMMTeacher.state_attributes, "history")

    def __init__(self, task_space: TaskSpace, *, fit_rate: int = 250, random_task_ratio: float = 0.2,
                 potential_ks: Sequence[int] = tuple(range(2, 11)), nb_em_init: int = 1,
                 initial_distribution: Mapping[str, Any] | None = None, normalize_returns: bool = True, **base: Any):
        super().__init__(task_space, fit_rate=fit_rate, random_task_ratio=random_task_ratio,
                         potential_ks=potential_ks, nb_em_init=nb_em_init,
                         initial_distribution=initial_distribution, normalize_returns=normalize_returns, **base)
        self.history = ALPHistory(self.ndim)

    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        self.history.add(unit_task, self.fitted_return(episode_return))
        if self.history.size % self.fit_rate == 0:
            self._refit(self.history.recent_task_alps(self.fit_rate))

    def _component_interest(self, mixture: GaussianMixture) -> np.ndarray:
        return mixture.means[:, -1]

    def _metrics(self) -> dict[str, float]:
        return {**super()._metrics(), "mean_alp": self.history.mean_alp(self.fit_rate)}
