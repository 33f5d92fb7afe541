"""CURROT: a curriculum of particles moved towards the target tasks by optimal transport, constrained to tasks the
student does well on (Klink, Yang, Calandra & Peters, "Curriculum Reinforcement Learning via Constrained Optimal
Transport", ICML 2022; the sampling-based update of the reference code, psclklnk/currot).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

from teachgym.task_space import TaskSpace

from .base import Teacher, TeacherError
from .checks import checked_distribution, checked_integer, checked_pair, checked_real
from .registry import register_teacher

# The performance estimate's kernel bandwidth is this share of epsilon (the reference's Nadaraya-Watson setting) and
# it averages the returns of this many nearest episodes (the reference searches a radius of 3 bandwidths, else the 10
# nearest).
BANDWIDTH_SHARE = 0.3
NEIGHBOURS = 10
# Search noise of the tasks a failing particle is moved to (unit cube): this share of the range at the lowest return
# seen, falling linearly to MIN_SEARCH_STD_SHARE * epsilon at the threshold (the reference's values).
SEARCH_STD_SHARE = 0.25
MIN_SEARCH_STD_SHARE = 0.005
SAMPLE_NOISE = 1e-3  # half-width of the uniform noise around the particle a task comes from (unit cube)


@register_teacher("currot")
class CurrotTeacher(Teacher):
    """CURROT (Klink et al., 2022): the curriculum is a set of ``n_particles`` tasks; every ``episodes_per_update``
    episodes an update solves, for the particles ``p`` (old ``q``), the target distribution ``mu`` and the student's
    estimated performance ``V``::

        min_p  W2(p, mu)   subject to   V(c) > delta for every particle c of p,   W2(p, q) <= epsilon

    Tasks are drawn uniformly from the particles (plus a uniform jitter of 1e-3 of each range).

    One update, as in the reference's sampling-based solver (each particle kept within ``epsilon`` of where it was,
    which bounds the Wasserstein step between successive particle sets by ``epsilon``):

    1. ``V`` is estimated from the last ``history_size`` episodes by Nadaraya-Watson kernel regression on their
       returns (Gaussian kernel of bandwidth ``0.3 * epsilon`` over the 10 nearest episodes; far from every episode
       it falls back to the nearest ones).
    2. Particles with ``V <= delta`` are moved onto tasks the student does best on, matched by a minimum-cost
       assignment (squared distances, ``scipy.optimize.linear_sum_assignment``): draws from the success buffer (the
       ``n_particles`` episodes with the highest returns capped at ``delta``, the newest first among equals, so once
       the student succeeds it holds the latest successful tasks), weighted by their return above the buffer's
       median, with a Gaussian search noise that shrinks as the return nears ``delta``; only draws with ``V > delta``
       are used when there are enough of them.
    3. The optimal transport from the particles to ``n_particles`` fresh target tasks (a minimum-cost assignment of
       squared distances) gives each particle its target. Each particle then moves to the candidate closest to its
       target among those with ``V > delta``: the step straight towards the target, staying, and ``n_candidates``
       uniform draws in the ball around it of radius ``min(epsilon, distance to the target)``; where none is above
       ``delta``, to the candidate with the highest ``V`` (before the student reaches ``delta`` anywhere, the
       particles climb the estimate).

    Args:
        n_particles: tasks making up the curriculum distribution.
        episodes_per_update: episodes between two updates.
        epsilon: the trust region: the farthest a particle moves in one update (Euclidean, in the unit cube where
            every dimension spans [0, 1]), counted from where step 2 left it.
        delta: the performance threshold (episode return); None: ``reward_thresholds[1]`` (a return above which the
            student does well), else the middle of ``reward_range`` (the reference's default).
        reward_thresholds: ``(fail, do well)`` returns (the "low" expert knowledge); only its second value is used.
        n_candidates: random candidates per particle and update.
        history_size: the most recent episodes the performance estimate uses.
        initial_distribution: ``{"mean": ..., "std": ...}`` in task units: the particles start as draws from this
            Gaussian (clipped to the space); None: uniform over the space.
        target_distribution: ``{"mean": ..., "std": ...}`` in task units (clipped to the space); None: uniform.
        seed, reward_range: see :class:`~teachgym.teachers.Teacher`.

    Defaults are the reference's TeachMyAgent wrapper (500 particles, an update every 50 episodes); preset
    ``"point-mass"`` is its point-mass setting (100 particles, every 20 episodes). The reference's trust regions,
    0.71 and 1.22 task units, are 0.09 and 0.07 of its environments' ranges: epsilon 0.1 of the unit cube here.
    teachgym choices: the performance estimate keeps the latest episodes, not a buffer of successes and one of
    failures; the target assignment is exact (the reference approximates it by sliced Wasserstein); a success
    counts as a return above ``delta`` (success flags are not used).

    Metrics: ``updates``, ``reseated`` (particles moved onto the success buffer in the last update),
    ``step_distance`` (Wasserstein-2 distance of the last step, from after the reseating: at most ``epsilon``),
    ``target_distance`` (root mean squared distance from the particles to their assigned targets after the last
    update), ``share_above_delta`` (share of particles with ``V > delta`` after it), and the particles' mean per
    dimension ``mean.<dimension>`` in task units.
    """

    presets: ClassVar[dict[str, dict[str, Any]]] = {
        "tma": {"n_particles": 500, "episodes_per_update": 50},
        "point-mass": {"n_particles": 100, "episodes_per_update": 20},
    }
    state_attributes: ClassVar[tuple[str, ...]] = (
        "particles",
        "batch_episodes",
        "updates",
        "history_tasks",
        "history_returns",
        "buffer_tasks",
        "buffer_returns",
        "buffer_order",
        "lowest_return",
        "last_reseated",
        "last_step_distance",
        "last_target_distance",
        "last_share_above_delta",
    )

    def __init__(self, task_space: TaskSpace, *, n_particles: int = 500, episodes_per_update: int = 50,
                 epsilon: float = 0.1, delta: float | None = None, reward_thresholds: Sequence[float] | None = None,
                 n_candidates: int = 100, history_size: int = 1000,
                 initial_distribution: Mapping[str, Any] | None = None,
                 target_distribution: Mapping[str, Any] | None = None, **base: Any):
        super().__init__(task_space, **base)
        name = self.name
        self.n_particles = checked_integer(name, "n_particles", n_particles, minimum=1)
        self.episodes_per_update = checked_integer(name, "episodes_per_update", episodes_per_update, minimum=1)
        self.epsilon = checked_real(name, "epsilon", epsilon, low=0.0, low_open=True)
        self.n_candidates = checked_integer(name, "n_candidates", n_candidates, minimum=1)
        self.history_size = checked_integer(name, "history_size", history_size, minimum=1)
        self.delta = self._checked_delta(delta, reward_thresholds)
        initial = checked_distribution(name, "initial_distribution", task_space, initial_distribution)
        self._target = checked_distribution(name, "target_distribution", task_space, target_distribution)

        self.particles = self._draw(initial, self.n_particles)
        self.batch_episodes = 0
        self.updates = 0
        self.history_tasks = np.zeros((0, self.ndim))
        self.history_returns = np.zeros(0)
        self.buffer_tasks = np.zeros((0, self.ndim))
        self.buffer_returns = np.zeros(0)  # capped at delta
        self.buffer_order = np.zeros(0, dtype=np.int64)  # the episode number of each entry: newest wins ties
        self.lowest_return = math.inf
        self.last_reseated = 0
        self.last_step_distance = 0.0
        self.last_target_distance = 0.0
        self.last_share_above_delta = 0.0

    # ------------------------------------------------------------------------------------------------ sampling
    def _sample(self) -> np.ndarray:
        particle = self.particles[self.rng.integers(self.n_particles)]
        return particle + self.rng.uniform(-SAMPLE_NOISE, SAMPLE_NOISE, self.ndim)

    def _draw(self, gaussian: tuple[np.ndarray, np.ndarray] | None, count: int) -> np.ndarray:
        """``count`` tasks from a unit-cube Gaussian clipped to the cube, or uniform ones without a Gaussian."""
        if gaussian is None:
            return self.rng.random((count, self.ndim))
        mean, std = gaussian
        return np.clip(mean + std * self.rng.standard_normal((count, self.ndim)), 0.0, 1.0)

    # ------------------------------------------------------------------------------------------------ update
    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        self.history_tasks = np.vstack([self.history_tasks, unit_task])[-self.history_size :]
        self.history_returns = np.append(self.history_returns, episode_return)[-self.history_size :]
        self.lowest_return = min(self.lowest_return, episode_return)
        self._remember(unit_task, min(episode_return, self.delta))
        self.batch_episodes += 1
        if self.batch_episodes >= self.episodes_per_update:
            self.batch_episodes = 0
            self._update_particles()

    def _remember(self, unit_task: np.ndarray, capped_return: float) -> None:
        """Keep the task in the success buffer if it ranks among the best ``n_particles`` by (capped return, age)."""
        if len(self.buffer_returns) < self.n_particles:
            self.buffer_tasks = np.vstack([self.buffer_tasks, unit_task])
            self.buffer_returns = np.append(self.buffer_returns, capped_return)
            self.buffer_order = np.append(self.buffer_order, self.episodes)
            return
        worst = np.lexsort((self.buffer_order, self.buffer_returns))[0]
        if capped_return >= self.buffer_returns[worst]:
            self.buffer_tasks[worst], self.buffer_returns[worst] = unit_task, capped_return
            self.buffer_order[worst] = self.episodes

    def _update_particles(self) -> None:
        estimate = self.performance_estimate
        particles = self.particles.copy()
        failing = np.flatnonzero(estimate(particles) <= self.delta)
        self.last_reseated = 0
        if len(failing):
            anchors = self._search_tasks()
            successful = estimate(anchors) > self.delta
            if successful.sum() >= len(failing):
                anchors = anchors[successful]
            rows, columns = linear_sum_assignment(_squared_distances(particles[failing], anchors))
            particles[failing[rows]] = anchors[columns]
            self.last_reseated = len(rows)

        targets = self._draw(self._target, self.n_particles)
        _, order = linear_sum_assignment(_squared_distances(particles, targets))
        targets = targets[order]
        candidates = self._candidates(particles, targets)
        values = estimate(candidates.reshape(-1, self.ndim)).reshape(candidates.shape[:2])
        above = values > self.delta
        distances = np.linalg.norm(candidates - targets[:, None, :], axis=-1)
        choice = np.where(
            above.any(axis=1), np.argmin(np.where(above, distances, np.inf), axis=1), np.argmax(values, axis=1)
        )
        rows = np.arange(self.n_particles)
        self.particles = candidates[rows, choice]
        self.updates += 1
        self.last_step_distance = _rms(self.particles - particles)
        self.last_target_distance = _rms(self.particles - targets)
        self.last_share_above_delta = float(above[rows, choice].mean())

    def _candidates(self, particles: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """Per particle: the step towards its target, itself, and uniform draws in its trust-region ball (radius
        ``min(epsilon, distance to the target)``), clipped to the cube (which never lengthens a step)."""
        offsets = targets - particles
        distances = np.linalg.norm(offsets, axis=1, keepdims=True)
        radius = np.minimum(self.epsilon, distances)
        direct = particles + radius * np.divide(offsets, distances, out=np.zeros_like(offsets), where=distances > 0)
        directions = self.rng.standard_normal((self.n_particles, self.n_candidates, self.ndim))
        directions /= np.maximum(np.linalg.norm(directions, axis=-1, keepdims=True), 1e-12)
        lengths = self.rng.random((self.n_particles, self.n_candidates, 1)) ** (1.0 / self.ndim)
        ball = particles[:, None, :] + radius[:, None, :] * lengths * directions
        return np.clip(np.concatenate([direct[:, None, :], particles[:, None, :], ball], axis=1), 0.0, 1.0)

    def _search_tasks(self) -> np.ndarray:
        """``n_particles`` draws from the success buffer, weighted by their return above the buffer's median (all
        alike when none is above), each with a Gaussian noise of std from 0.25 (at the lowest return seen) down to
        0.005 * epsilon (at delta), clipped to the cube."""
        excess = np.maximum(self.buffer_returns - np.median(self.buffer_returns), 0.0)
        weights = excess / excess.sum() if excess.sum() > 0 else None
        picks = self.rng.choice(len(self.buffer_returns), size=self.n_particles, p=weights)
        span = self.delta - self.lowest_return
        shortfall = np.clip((self.delta - self.buffer_returns[picks]) / span, 0.0, 1.0) if span > 0 else 0.0
        std = MIN_SEARCH_STD_SHARE * self.epsilon + SEARCH_STD_SHARE * np.asarray(shortfall)
        noise = np.reshape(std, (-1, 1)) * self.rng.standard_normal((self.n_particles, self.ndim))
        return np.clip(self.buffer_tasks[picks] + noise, 0.0, 1.0)

    def performance_estimate(self, unit_tasks: np.ndarray) -> np.ndarray:
        """The estimated return at ``unit_tasks`` (rows in the unit cube): Nadaraya-Watson kernel regression over the
        last ``history_size`` episodes (Gaussian kernel of bandwidth ``0.3 * epsilon`` over the 10 nearest); -inf
        everywhere before any episode."""
        unit_tasks = np.atleast_2d(unit_tasks)
        if not len(self.history_returns):
            return np.full(len(unit_tasks), -np.inf)
        neighbours = min(NEIGHBOURS, len(self.history_returns))
        distances, indices = cKDTree(self.history_tasks).query(unit_tasks, k=neighbours)
        distances, indices = distances.reshape(len(unit_tasks), -1), indices.reshape(len(unit_tasks), -1)
        logits = -0.5 * (distances / (BANDWIDTH_SHARE * self.epsilon)) ** 2
        weights = np.exp(logits - logits.max(axis=1, keepdims=True))
        return (weights * self.history_returns[indices]).sum(axis=1) / weights.sum(axis=1)

    # ------------------------------------------------------------------------------------------------ checks
    def _checked_delta(self, delta: float | None, reward_thresholds: Sequence[float] | None) -> float:
        """delta as given, else the upper reward threshold, else the middle of the reward range."""
        if reward_thresholds is not None:
            reward_thresholds = checked_pair(self.name, "reward_thresholds", reward_thresholds, strict=False)
        if delta is not None:
            return checked_real(self.name, "delta", delta)
        if reward_thresholds is not None:
            return reward_thresholds[1]
        if self.reward_range is not None:
            return 0.5 * (self.reward_range[0] + self.reward_range[1])
        raise TeacherError(
            f"teacher {self.name!r} needs a performance threshold: pass delta, reward_thresholds=(fail, "
            f"do well) or reward_range=(low, high)"
        )

    def _metrics(self) -> dict[str, float]:
        metrics = {
            "updates": self.updates,
            "reseated": self.last_reseated,
            "step_distance": self.last_step_distance,
            "target_distance": self.last_target_distance,
            "share_above_delta": self.last_share_above_delta,
        }
        low, high = self.task_space.low, self.task_space.high
        means = low + self.particles.mean(axis=0) * (high - low)
        metrics.update({f"mean.{name}": mean for name, mean in zip(self.task_space.names, means)})
        return metrics


def _squared_distances(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return np.square(first[:, None, :] - second[None, :, :]).sum(axis=-1)


def _rms(offsets: np.ndarray) -> float:
    """The root mean squared length of the rows: a Wasserstein-2 distance when the rows pair two particle sets."""
    return float(np.sqrt(np.square(offsets).sum(axis=1).mean()))
