"""Self-Paced Deep RL (SPDL): a Gaussian task distribution that moves from an easy start towards a target
distribution as fast as the student's values allow (Klink, Abdulsamad, Belousov & Peters, "Self-Paced Deep
Reinforcement Learning", NeurIPS 2020; TeachMyAgent's benchmark settings).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from teachgym.task_space import TaskSpace

from .base import TeacherError
from .checks import checked_distribution, checked_integer, checked_real
from .neural_teacher import NeuralTeacher
from .registry import register_teacher
from .trust_region import natural_gradient_step
from .value_estimates import ValueEstimateTeacher

# Without expert knowledge the start is a random narrow Gaussian (std this share of each range) and the target covers
# the whole space (mean at the centre, std this share of each range: about 95% of its mass inside), as in TMA.
INITIAL_STD_SHARE = 0.1
TARGET_STD_SHARE = 0.25
MIN_STD = 1e-3  # smallest Cholesky diagonal in the unit cube (e.g. for dimensions an expert distribution fixes)
MIN_KL = 1e-10  # the alpha rule divides by the KL to the target
MAX_ALPHA = 1e5
DRAW_BATCH, DRAW_BATCHES = 16, 8  # candidates drawn at once, and batches tried before clipping


@register_teacher("self-paced")
class SelfPacedTeacher(ValueEstimateTeacher, NeuralTeacher):
    """Self-Paced Deep RL (Klink et al., 2020): tasks come from a Gaussian that an update moves every
    ``update_frequency`` environment steps (from ``update_offset`` steps on).

    An update maximises, within ``KL(old || new) <= max_kl`` (a natural-gradient step with a backtracking line
    search), ``mean_i(p_new(c_i) / p_old(c_i) * (v_i - mean(v))) - alpha * KL(p_new || target)`` over the tasks
    ``c_i`` of the episodes since the previous update, where ``v_i`` is the student's value estimate of episode
    ``i``'s initial state, asked for at update time (see :mod:`~teachgym.teachers.value_estimates`; without a glue,
    the episode's return). ``alpha = zeta * max(performance, 0) / KL(p || target)`` (at most 1e5), and 0 during the
    first ``alpha_offset - 1`` updates: the distribution first follows the values alone (towards what the student
    does well), then is pulled towards the target by a share ``zeta`` of the performance. The performance is the
    mean value estimate, or with ``use_average_performance`` the mean discounted return of those episodes.

    Args:
        update_frequency: environment steps between two updates (an episode without a glue counts as one step).
        update_offset: no update before this many steps.
        alpha_offset: the update from which the target pulls (TMA counts updates from 1).
        zeta: the target's pull as a share of the performance (>= 0).
        max_kl: the trust region of one update (> 0).
        use_average_performance: alpha from the episodes' mean discounted return instead of the mean value.
        std_lower_bound: with ``kl_threshold``: while the distribution's KL to the target exceeds ``kl_threshold``,
            no std (Cholesky diagonal) falls below this (task units; a number or one per dimension). Both or neither.
        kl_threshold: see ``std_lower_bound``.
        buffer_size: the most recent episodes an update uses (older ones since the previous update are dropped).
        initial_distribution: ``{"mean": ..., "std": ...}`` in task units, the start (the "high" expert knowledge);
            None: a Gaussian around a uniformly drawn task with std 10% of each range.
        target_distribution: ``{"mean": ..., "std": ...}`` in task units; None: the centre, std 25% of each range.
        device: torch device of the updates ("auto": CUDA when available; the run API passes the student's).
        seed, reward_range: see :class:`~teachgym.teachers.Teacher`.

    Defaults are TeachMyAgent's class defaults; preset ``"tma"`` is its benchmark setting, and ``"simulated"`` the
    same with the schedule in one-step episodes (simulated students: 50 episodes per update after 200).
    teachgym choices: the distribution lives in the unit cube (KL is invariant to that rescaling); tasks come from
    the Gaussian truncated to the space (rejection sampling, as TMA's truncated variant) instead of clipped onto its
    faces, the mean is kept inside the space and the Cholesky diagonal above 1e-3 (without these, a distribution at a
    corner, e.g. the expert start, degenerated: density ratios of 1e19 on tail samples, singular Fisher matrices);
    values are centred on their mean in the objective (same expected gradient, far less variance when all values
    are alike); the line search demands both the KL bound and no loss (TMA accepts either); a teacher sees episodes,
    so the schedule advances by whole episodes.

    Metrics: ``updates``, ``kl_to_target``, ``alpha``, ``mean_value``, ``step_kl`` (0 when the last update took no
    step), ``student_values`` (1 when the last update used the student's estimates, 0 when returns stood in), and
    the distribution's ``mean.<dimension>`` and ``std.<dimension>`` in task units (the value figures are 0 before the
    first update).
    """

    presets: ClassVar[dict[str, dict[str, Any]]] = {
        "tma": {"update_frequency": 50_000, "update_offset": 200_000, "alpha_offset": 10, "zeta": 0.25,
                "max_kl": 0.1, "use_average_performance": True},
        "simulated": {"update_frequency": 50, "update_offset": 200, "alpha_offset": 10, "zeta": 0.25,
                      "max_kl": 0.1, "use_average_performance": True},
    }
    state_attributes: ClassVar[tuple[str, ...]] = (
        "parameters", "steps", "next_update", "updates", "buffer_tasks", "buffer_observations", "buffer_returns",
        "performance_sum", "performance_count", "kl_to_target", "last_alpha", "last_mean_value", "last_step_kl",
        "last_student_values",
    )

    def __init__(self, task_space: TaskSpace, *, update_frequency: int = 100_000, update_offset: int = 200_000,
                 alpha_offset: int = 0, zeta: float = 0.05, max_kl: float = 0.8, use_average_performance: bool = False,
                 std_lower_bound: float | Sequence[float] | None = None, kl_threshold: float | None = None,
                 buffer_size: int = 1000, initial_distribution: Mapping[str, Any] | None = None,
                 target_distribution: Mapping[str, Any] | None = None, device: Any = "auto", **base: Any):
        super().__init__(task_space, device=device, **base)
        name = self.name
        self.update_frequency = checked_integer(name, "update_frequency", update_frequency, minimum=1)
        self.update_offset = checked_integer(name, "update_offset", update_offset, minimum=0)
        self.alpha_offset = checked_integer(name, "alpha_offset", alpha_offset, minimum=0)
        self.zeta = checked_real(name, "zeta", zeta, low=0.0)
        self.max_kl = checked_real(name, "max_kl", max_kl, low=0.0, low_open=True)
        if not isinstance(use_average_performance, (bool, np.bool_)):
            raise TeacherError(f"teacher {name!r}: use_average_performance must be True or False, got "
                               f"{use_average_performance!r}")
        self.use_average_performance = bool(use_average_performance)
        self.std_lower_bound, self.kl_threshold = self._checked_std_bound(std_lower_bound, kl_threshold)
        self.buffer_size = checked_integer(name, "buffer_size", buffer_size, minimum=1)

        initial = checked_distribution(name, "initial_distribution", task_space, initial_distribution)
        if initial is None:
            initial = self.rng.random(self.ndim), np.full(self.ndim, INITIAL_STD_SHARE)
        target = checked_distribution(name, "target_distribution", task_space, target_distribution)
        if target is None:
            target = np.full(self.ndim, 0.5), np.full(self.ndim, TARGET_STD_SHARE)
        self._target = self.tensor(_diagonal_parameters(*target), np.float64)
        self._lower_rows, self._lower_columns = np.tril_indices(self.ndim, k=-1)
        # the same indices as tensors, for building the Cholesky factor inside every objective evaluation
        self._lower_indices = (self.tensor(self._lower_rows, np.int64), self.tensor(self._lower_columns, np.int64))

        self.parameters = _diagonal_parameters(*initial)
        self.steps = 0
        self.next_update = self._first_update_at(0)
        self.updates = 0
        self.buffer_tasks: list[np.ndarray] = []
        self.buffer_observations: list[np.ndarray | None] = []
        self.buffer_returns: list[float] = []
        self.performance_sum = 0.0
        self.performance_count = 0
        self.kl_to_target = self._kl_to_target()
        self.last_alpha = 0.0
        self.last_mean_value = 0.0
        self.last_step_kl = 0.0
        self.last_student_values = False
        self._refresh_sampler()

    # ------------------------------------------------------------------------------------------- distribution
    @property
    def distribution_mean(self) -> np.ndarray:
        """The task distribution's mean, in task units."""
        return self.task_space.low + self._mean_unit * (self.task_space.high - self.task_space.low)

    @property
    def distribution_covariance(self) -> np.ndarray:
        """The task distribution's covariance, in task units (squared)."""
        width = self.task_space.high - self.task_space.low
        return (self._scale_unit @ self._scale_unit.T) * np.outer(width, width)

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        super().load_state_dict(state)
        self._refresh_sampler()

    def _sample(self) -> np.ndarray:
        # The Gaussian truncated to the space, by rejection: clipping would pile mass on the boundary, where the
        # update's density ratios do not describe how often a task comes. A distribution almost all outside the
        # space (no candidate inside) falls back to clipping.
        for _ in range(DRAW_BATCHES):
            tasks = self._mean_unit + self.rng.standard_normal((DRAW_BATCH, self.ndim)) @ self._scale_unit.T
            inside = np.flatnonzero(np.all((tasks >= 0.0) & (tasks <= 1.0), axis=1))
            if len(inside):
                return tasks[inside[0]]
        return tasks[0]

    def _refresh_sampler(self) -> None:
        """Cache the mean and Cholesky factor of ``parameters`` (the state) for sampling in numpy."""
        d = self.ndim
        scale = np.diag(np.exp(self.parameters[d:2 * d]))
        scale[self._lower_rows, self._lower_columns] = self.parameters[2 * d:]
        self._mean_unit, self._scale_unit = self.parameters[:d].copy(), scale

    # ------------------------------------------------------------------------------------------------ update
    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        view = self._episode_view(episode_return)
        self.buffer_tasks.append(unit_task)
        self.buffer_observations.append(view.initial_observation)
        self.buffer_returns.append(view.discounted_return)
        if len(self.buffer_tasks) > self.buffer_size:
            del self.buffer_tasks[0], self.buffer_observations[0], self.buffer_returns[0]
        self.performance_sum += view.discounted_return
        self.performance_count += 1
        self.steps += view.length
        if self.steps >= self.next_update:
            self._update_distribution()
            self.next_update = self._first_update_at(self.steps + 1)

    def _first_update_at(self, steps: int) -> int:
        """The first scheduled update step (a multiple of ``update_frequency``, at least the offset) >= ``steps``."""
        earliest = max(steps, self.update_offset, 1)
        return -(-earliest // self.update_frequency) * self.update_frequency

    def _update_distribution(self) -> None:
        torch = self.torch
        values, self.last_student_values = self._values()
        performance = (self.performance_sum / self.performance_count if self.use_average_performance
                       else float(np.mean(values)))
        self.updates += 1
        alpha = 0.0
        if self.updates >= self.alpha_offset:
            alpha = min(self.zeta * max(performance, 0.0) / max(self.kl_to_target, MIN_KL), MAX_ALPHA)
        tasks = self.tensor(np.array(self.buffer_tasks), np.float64)
        centred = self.tensor(values - values.mean(), np.float64)
        old = self.tensor(self.parameters, np.float64)
        old_distribution = self._distribution(old)
        old_log_density = old_distribution.log_prob(tasks)
        target = self._distribution(self._target)

        def objective(parameters):
            distribution = self._distribution(parameters)
            ratio = torch.exp(distribution.log_prob(tasks) - old_log_density)
            return torch.mean(ratio * centred) - alpha * torch.distributions.kl_divergence(distribution, target)

        def kl_from_old(parameters):
            return torch.distributions.kl_divergence(old_distribution, self._distribution(parameters))

        step = natural_gradient_step(torch, old, objective, kl_from_old, self.max_kl)
        parameters = step.parameters.cpu().numpy().astype(np.float64)
        # A mean outside the space leaves only the far tails to the truncated sampling, and the density ratios of
        # the next update explode there: the mean stays in the space. A collapsing std (values that favour a few
        # tasks) would make the next update's Fisher matrix singular: the Cholesky diagonal keeps MIN_STD.
        d = self.ndim
        parameters[:d] = np.clip(parameters[:d], 0.0, 1.0)
        parameters[d:2 * d] = np.maximum(parameters[d:2 * d], np.log(MIN_STD))
        self.parameters = parameters
        self._refresh_sampler()
        self.kl_to_target = self._kl_to_target()
        if self.std_lower_bound is not None and self.kl_to_target > self.kl_threshold:
            parameters[d:2 * d] = np.maximum(parameters[d:2 * d], np.log(self.std_lower_bound))
            self._refresh_sampler()
            self.kl_to_target = self._kl_to_target()
        self.last_alpha, self.last_mean_value, self.last_step_kl = float(alpha), float(np.mean(values)), step.kl
        self.buffer_tasks, self.buffer_observations, self.buffer_returns = [], [], []
        self.performance_sum, self.performance_count = 0.0, 0

    def _values(self) -> tuple[np.ndarray, bool]:
        """The values of the buffered episodes, and whether they are the student's estimates (else the returns)."""
        if self.value_estimator is None:
            return np.array(self.buffer_returns), False
        missing = sum(observation is None for observation in self.buffer_observations)
        if missing:
            raise TeacherError(f"teacher {self.name!r} has a value estimator but {missing} of the "
                               f"{len(self.buffer_observations)} episodes since its last update came without an "
                               f"initial observation: call record_episode before every update")
        return self.estimate_values(np.stack(self.buffer_observations)), True

    # ------------------------------------------------------------------------------------------------- torch
    def _distribution(self, parameters: Any) -> Any:
        """The Gaussian of a parameter vector: mean, log of the Cholesky diagonal, strictly lower Cholesky entries."""
        torch, d = self.torch, self.ndim
        scale = torch.diag(torch.exp(parameters[d:2 * d]))
        if d > 1:
            scale = scale.index_put(self._lower_indices, parameters[2 * d:])
        return torch.distributions.MultivariateNormal(parameters[:d], scale_tril=scale, validate_args=False)

    def _kl_to_target(self) -> float:
        with self.torch.no_grad():
            current = self._distribution(self.tensor(self.parameters, np.float64))
            return float(self.torch.distributions.kl_divergence(current, self._distribution(self._target)))

    # ----------------------------------------------------------------------------------------------- checks
    def _checked_std_bound(self, std_lower_bound: Any, kl_threshold: Any) -> tuple[np.ndarray | None, float | None]:
        """The std lower bound in the unit cube and the KL threshold, both or neither."""
        if (std_lower_bound is None) != (kl_threshold is None):
            raise TeacherError(f"teacher {self.name!r}: std_lower_bound and kl_threshold go together; got "
                               f"std_lower_bound={std_lower_bound!r} and kl_threshold={kl_threshold!r}")
        if std_lower_bound is None:
            return None, None
        threshold = checked_real(self.name, "kl_threshold", kl_threshold, low=0.0)
        try:
            bound = np.broadcast_to(np.asarray(std_lower_bound, dtype=np.float64), (self.ndim,))
        except (TypeError, ValueError):
            raise TeacherError(f"teacher {self.name!r}: std_lower_bound must be a number or {self.ndim} numbers "
                               f"(task units), got {std_lower_bound!r}") from None
        if not np.all(np.isfinite(bound) & (bound > 0)):
            raise TeacherError(f"teacher {self.name!r}: std_lower_bound must be finite and > 0, got "
                               f"{std_lower_bound!r}")
        width = self.task_space.high - self.task_space.low
        return np.where(width > 0, bound / np.where(width > 0, width, 1.0), MIN_STD), threshold

    def _metrics(self) -> dict[str, float]:
        metrics = {"updates": self.updates, "kl_to_target": self.kl_to_target, "alpha": self.last_alpha,
                   "mean_value": self.last_mean_value, "step_kl": self.last_step_kl,
                   "student_values": float(self.last_student_values)}
        stds = np.sqrt(np.diag(self.distribution_covariance))
        for name, mean, std in zip(self.task_space.names, self.distribution_mean, stds):
            metrics[f"mean.{name}"], metrics[f"std.{name}"] = mean, std
        return metrics


def _diagonal_parameters(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """The parameter vector of a Gaussian with independent dimensions (unit cube): mean, log std, zero correlations."""
    d = len(mean)
    return np.concatenate([mean, np.log(np.maximum(std, MIN_STD)), np.zeros(d * (d - 1) // 2)])
