"""The skeleton shared by the Gaussian-mixture teachers (ALP-GMM, Covar-GMM): periodic refits, then sampling from
the component that looks most promising."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from teachgym.task_space import TaskSpace
from teachgym.validation import is_integer

from .base import Teacher, TeacherError
from .blas import single_blas_thread
from .checks import checked_distribution, checked_integer, checked_real
from .gmm import GaussianMixture, select_mixture


class GMMTeacher(Teacher):
    """Shared skeleton of the Gaussian-mixture teachers (ALP-GMM, Covar-GMM); not registered itself.

    Until the first fit, tasks are uniform (or drawn from the expert ``initial_distribution``). Every ``fit_rate``
    episodes the subclass calls :meth:`_refit` with its rows (unit task first, then its own columns); afterwards a
    task is uniform with probability ``random_task_ratio``, otherwise drawn from a component chosen in proportion
    to :meth:`_component_interest` (uniformly when every interest is 0), with the non-task coordinates dropped.

    Args:
        fit_rate: episodes between two refits; each fit uses the last ``fit_rate`` rows (>= 2).
        random_task_ratio: probability in [0, 1] of a uniform task once a mixture is fitted.
        potential_ks: component counts tried at each refit (each in ``[1, fit_rate]``); the lowest AIC wins.
        nb_em_init: EM runs per component count, the most likely kept (>= 1).
        initial_distribution: expert knowledge: ``{"mean": ..., "std": ...}`` in task units (vectors of length
            ``ndim`` or mappings name -> value), a diagonal Gaussian used until the first fit; None: uniform.
        normalize_returns: map returns from ``reward_range`` to [0, 1] before they enter the fits, when a
            ``reward_range`` is given (True). TeachMyAgent's benchmark never scaled them (its ``scale_reward`` was
            off), so its ``tma`` presets set False: the fits then see raw returns whatever the expert level.
        seed, reward_range: see :class:`~teachgym.teachers.Teacher`.
    """

    state_attributes: ClassVar[tuple[str, ...]] = ("mixture", "component_cumulative")

    def __init__(self, task_space: TaskSpace, *, fit_rate: int, random_task_ratio: float, potential_ks: Sequence[int],
                 nb_em_init: int, initial_distribution: Mapping[str, Any] | None, normalize_returns: bool = True,
                 **base: Any):
        super().__init__(task_space, **base)
        if not isinstance(normalize_returns, (bool, np.bool_)):
            raise TeacherError(f"teacher {self.name!r}: normalize_returns must be True or False, got "
                               f"{normalize_returns!r}")
        self.normalize_returns = bool(normalize_returns)
        self.fit_rate = checked_integer(self.name, "fit_rate", fit_rate, minimum=2)
        self.random_task_ratio = checked_real(self.name, "random_task_ratio", random_task_ratio, low=0.0, high=1.0)
        self.potential_ks = _checked_potential_ks(self.name, potential_ks, self.fit_rate)
        self.nb_em_init = checked_integer(self.name, "nb_em_init", nb_em_init, minimum=1)
        self.initial_distribution = checked_distribution(self.name, "initial_distribution", task_space,
                                                         initial_distribution)
        self.mixture: GaussianMixture | None = None
        # Cumulative component-choice probabilities of the current mixture; None: choose uniformly (all interest 0).
        self.component_cumulative: np.ndarray | None = None

    def fitted_return(self, episode_return: float) -> float:
        """The return as the mixture fits see it: normalised by ``reward_range`` if ``normalize_returns``, else raw."""
        return self.normalized_return(episode_return) if self.normalize_returns else episode_return

    @abstractmethod
    def _component_interest(self, mixture: GaussianMixture) -> np.ndarray:
        """Sampling weight of each component (mean ALP, positive time-return covariance ...); negatives count as 0."""

    def _refit(self, rows: np.ndarray) -> None:
        """Select a new mixture on ``rows``; keeps the current one if no component count gave a finite fit."""
        with single_blas_thread():
            mixture = select_mixture(rows, self.potential_ks, self.rng, self.nb_em_init)
        if mixture is None:
            return
        interest = np.maximum(self._component_interest(mixture), 0.0)
        total = interest.sum()
        cumulative = None
        if total > 0:
            cumulative = np.cumsum(interest / total)
            cumulative[-1] = 1.0
        self.mixture, self.component_cumulative = mixture, cumulative

    def _sample(self) -> np.ndarray:
        if self.mixture is None:
            if self.initial_distribution is None:
                return self.rng.random(self.ndim)
            mean, std = self.initial_distribution
            return mean + std * self.rng.standard_normal(self.ndim)
        if self.rng.random() < self.random_task_ratio:
            return self.rng.random(self.ndim)
        if self.component_cumulative is None:
            component = int(self.rng.integers(self.mixture.n_components))
        else:
            component = int(np.searchsorted(self.component_cumulative, self.rng.random(), side="right"))
        return self.mixture.sample_marginal(self.rng, component, self.ndim)

    def _metrics(self) -> dict[str, float]:
        return {"mixture_components": float(0 if self.mixture is None else self.mixture.n_components)}


def tma_preset(*, random_percentage: int, max_k: int) -> dict[str, Any]:
    """A GMM teacher's ``tma`` preset from TeachMyAgent's benchmark flags (``--fit_rate 150 --random_percentage P
    --min_k 2 --max_k K``; its ks come from ``arange(min_k, max_k)``, so K itself is never tried), raw returns."""
    return {"fit_rate": 150, "random_task_ratio": random_percentage / 100, "potential_ks": tuple(range(2, max_k)),
            "normalize_returns": False}


def _checked_potential_ks(teacher: str, value: object, fit_rate: int) -> tuple[int, ...]:
    expected = f"a non-empty sequence of component counts in [1, fit_rate={fit_rate}]"
    if isinstance(value, (str, bytes)) or not isinstance(value, (Iterable, np.ndarray)):
        raise TeacherError(f"teacher {teacher!r}: potential_ks must be {expected}, got {value!r}")
    ks = list(value)
    if not ks or not all(is_integer(k) and 1 <= k <= fit_rate for k in ks):
        raise TeacherError(f"teacher {teacher!r}: potential_ks must be {expected}, got {value!r}")
    return tuple(sorted({int(k) for k in ks}))
