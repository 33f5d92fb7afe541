"""PLR: replay the buffered tasks with the highest learning signal, explore new ones the rest of the time.

Prioritized Level Replay (Jiang, Grefenstette & Rocktaeschel, 2021) and its robust variant (Jiang et al., 2021,
"Replay-Guided Adversarial Environment Design"), after the reference implementation (facebookresearch/dcd).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from teachgym.task_space import TaskSpace

from .checks import checked_integer, checked_real
from .exploratory_episodes import ExploringTeacher
from .registry import register_teacher

# A returning task is the buffered task it matches within this distance in the unit cube: tasks come back through a
# denormalise/normalise round trip, which may move them by a few ulps.
_SAME_TASK = 1e-9


@register_teacher("plr")
class PLRTeacher(ExploringTeacher):
    """Keeps a buffer of seen tasks with scores; replays buffered tasks by score rank and staleness.

    Each ``sample_task()`` replays a buffered task with probability ``replay_prob`` once the buffer is at least
    ``min_fill_ratio`` full, and otherwise proposes a new uniform task. A replayed task is drawn from
    ``(1 - staleness_coef) * P_score + staleness_coef * P_staleness`` with ``P_score ∝ (1 / rank) ** (1 /
    temperature)`` (rank 1: the highest score) and ``P_staleness ∝`` the number of samples proposed since the task
    was last proposed (or entered the buffer).

    Score: PLR scores a level by a value-loss signal (e.g. the positive value loss); a teacher sees only episode
    returns, so the score here is the absolute change of the normalised return (``normalized_return``: scaled by
    ``reward_range`` when given) since the task's previous episode, an absolute-learning-progress signal. A new task
    has no previous episode: its score is its return's distance to the latest return of the nearest buffered task
    (ALP-GMM's ALP, restricted to the buffer; 0 while the buffer is empty). A new task enters the buffer, replacing
    the lowest-score entry when it is full and only if its own score is at least that low (as in dcd).

    Hyperparameters (defaults: the PLR paper and dcd's arguments; preset ``"dcd-bipedal"``: dcd's BipedalWalker
    robust-PLR configuration):
        buffer_size: tasks the buffer holds (1000).
        replay_prob: probability of replaying a buffered task once the buffer is full enough (0.5).
        min_fill_ratio: share of ``buffer_size`` the buffer must hold before any replay (0.5: dcd's ``rho``).
        temperature: temperature of the rank prioritisation (0.1).
        staleness_coef: weight of staleness in the replay distribution (0.1; dcd's BipedalWalker 0.5).

    After each ``sample_task()``, ``last_sample_was_replay`` says whether the task came from the buffer. Robust PLR
    (registered as ``robust-plr``) proposes the same tasks; it differs in what the student learns from, see
    :attr:`train_on_last_sample`. Metrics: ``buffer_fill`` (share of ``buffer_size``), ``mean_score`` (over the
    buffer), ``replay_share`` (of all samples so far) and ``trains_only_on_replays`` (1 for robust PLR).
    """

    presets = {"dcd-bipedal": {"staleness_coef": 0.5}}
    trains_only_on_replays: ClassVar[bool] = False
    state_attributes = ("buffer_tasks", "buffer_scores", "buffer_returns", "buffer_last_sampled", "buffer_fill",
                        "samples", "replays", "last_sample_was_replay")

    def __init__(self, task_space: TaskSpace, *, buffer_size: int = 1000, replay_prob: float = 0.5,
                 min_fill_ratio: float = 0.5, temperature: float = 0.1, staleness_coef: float = 0.1, **base: Any):
        name = self.name
        self.buffer_size = checked_integer(name, "buffer_size", buffer_size, minimum=1)
        self.replay_prob = checked_real(name, "replay_prob", replay_prob, low=0.0, high=1.0)
        self.min_fill_ratio = checked_real(name, "min_fill_ratio", min_fill_ratio, low=0.0, high=1.0)
        self.min_fill = max(1, math.ceil(self.min_fill_ratio * self.buffer_size))
        self.temperature = checked_real(name, "temperature", temperature, low=0.0, low_open=True)
        self.staleness_coef = checked_real(name, "staleness_coef", staleness_coef, low=0.0, high=1.0)
        super().__init__(task_space, **base)
        self.buffer_tasks = np.zeros((self.buffer_size, self.ndim))
        self.buffer_scores = np.zeros(self.buffer_size)
        self.buffer_returns = np.zeros(self.buffer_size)
        self.buffer_last_sampled = np.zeros(self.buffer_size, dtype=np.int64)
        self.buffer_fill = 0
        self.samples = 0
        self.replays = 0
        self.last_sample_was_replay = False

    @property
    def has_exploratory_episodes(self) -> bool:
        """True for robust PLR, whose new tasks are explored only to score them; False for PLR."""
        return self.trains_only_on_replays

    @property
    def train_on_last_sample(self) -> bool:
        """Whether the student should learn from its episode on the task the latest ``sample_task()`` returned.

        Always True for PLR. For robust PLR only replayed tasks train the student: new tasks are explored just to
        score them. Glues honour it as :mod:`teachgym.teachers.exploratory_episodes` says: the episode is reported
        with ``update()`` in every case (exploration episodes are what bring new tasks into the buffer), and the
        student does not learn from it when this was False.
        """
        return self.last_sample_was_replay or not self.trains_only_on_replays

    # ------------------------------------------------------------------------------------------------ sampling
    def _sample(self) -> np.ndarray:
        self.samples += 1
        self.last_sample_was_replay = self.buffer_fill >= self.min_fill and self.rng.random() < self.replay_prob
        if not self.last_sample_was_replay:
            return self.rng.uniform(0.0, 1.0, self.ndim)
        weights = np.cumsum(self.replay_distribution())
        index = min(int(np.searchsorted(weights, self.rng.random() * weights[-1], side="right")),
                    self.buffer_fill - 1)
        self.buffer_last_sampled[index] = self.samples
        self.replays += 1
        return self.buffer_tasks[index].copy()

    def replay_distribution(self) -> np.ndarray:
        """Probability of replaying each buffered task (the first ``buffer_fill`` entries) at the next replay."""
        fill = self.buffer_fill
        if fill == 0:
            return np.zeros(0)
        ranks = np.empty(fill)
        ranks[np.argsort(-self.buffer_scores[:fill], kind="stable")] = np.arange(1, fill + 1)
        weights = ranks ** (-1.0 / self.temperature)
        weights /= weights.sum()
        if self.staleness_coef > 0.0:
            staleness = (self.samples - self.buffer_last_sampled[:fill]).astype(np.float64)
            total = staleness.sum()
            staleness = staleness / total if total > 0 else np.full(fill, 1.0 / fill)
            weights = (1.0 - self.staleness_coef) * weights + self.staleness_coef * staleness
        return weights

    # ------------------------------------------------------------------------------------------------ learning
    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        distances = np.square(self.buffer_tasks[:self.buffer_fill] - unit_task).sum(axis=1)
        match = int(np.argmin(distances)) if len(distances) and distances.min() <= _SAME_TASK ** 2 else None
        score = self._episode_score(distances, match, episode_return, success)
        index = match if match is not None else self._free_entry(score)
        if index is None:
            return
        if match is None:
            self.buffer_tasks[index] = unit_task
            self.buffer_last_sampled[index] = self.samples
        self.buffer_scores[index] = score
        self._keep_episode(index, match is None, episode_return, success)

    def _free_entry(self, score: float) -> int | None:
        """Where a new task of ``score`` enters the buffer: the next empty entry, else the lowest-score one if
        ``score`` is at least as high (None: it does not enter)."""
        if self.buffer_fill < self.buffer_size:
            self.buffer_fill += 1
            return self.buffer_fill - 1
        index = int(np.argmin(self.buffer_scores))
        return index if score >= self.buffer_scores[index] else None

    def _episode_score(self, distances: np.ndarray, match: int | None, episode_return: float,
                       success: bool | None) -> float:
        """The score of the episode's task: ``distances`` (squared, unit cube) to the buffered tasks, ``match`` the
        buffered entry that is this task (None for a new task). PLR's: the change of the normalised return since
        the nearest buffered task's latest episode."""
        if not len(distances):
            return 0.0
        return abs(self.normalized_return(episode_return) - self.buffer_returns[int(np.argmin(distances))])

    def _keep_episode(self, index: int, new: bool, episode_return: float, success: bool | None) -> None:
        """Keep what later scores need of the episode in buffer entry ``index`` (``new``: the task just entered)."""
        self.buffer_returns[index] = self.normalized_return(episode_return)

    def _metrics(self) -> dict[str, float]:
        fill = self.buffer_fill
        return {
            "buffer_fill": fill / self.buffer_size,
            "mean_score": float(self.buffer_scores[:fill].mean()) if fill else 0.0,
            "replay_share": self.replays / self.samples if self.samples else 0.0,
            "trains_only_on_replays": float(self.trains_only_on_replays),
        }


@register_teacher("robust-plr")
class RobustPLRTeacher(PLRTeacher):
    """Robust PLR: PLR whose student trains only on replayed tasks (Jiang et al., 2021, "Replay-Guided Adversarial
    Environment Design"; dcd's ``no_exploratory_grad_updates``).

    The teacher proposes and scores exactly as PLR (same hyperparameters); :attr:`train_on_last_sample` is False
    for new, exploratory tasks, whose episodes must only be reported with ``update()``, never trained on.
    """

    trains_only_on_replays: ClassVar[bool] = True
