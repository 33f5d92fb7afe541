"""ACCEL: robust PLR whose replayed tasks are edited, the edits competing for a place in the buffer.

Parker-Holder, Jiang, Dennis, Samvelyan, Foerster, Grefenstette & Rocktaeschel (2022), "Evolving Curricula with
Regret-Based Environment Design" (ICML 2022); reference code: facebookresearch/dcd (``--use_editor``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from teachgym.task_space import TaskSpace

from .base import TeacherError
from .checks import checked_integer, checked_real
from .plr import RobustPLRTeacher
from .registry import register_teacher
from .replay_scores import TaskHistory, needs_success, replay_score
from .success import checked_success_thresholds, episode_success
from .value_estimates import ValueEstimateTeacher


@register_teacher("accel")
class ACCELTeacher(RobustPLRTeacher, ValueEstimateTeacher):
    """Robust PLR (the student trains only on replayed tasks) that edits every replayed task and evaluates the edit.

    Sampling is robust PLR's (:class:`~.plr.PLRTeacher`: a new uniform task, or with probability ``replay_prob``
    a buffered task by score rank and staleness), plus edits: right after a replay, the next sample is a copy of
    the replayed task changed by ``n_edits`` random edits, each a Gaussian step of standard deviation
    ``mutation_step`` along one uniformly chosen dimension of the unit cube, clipped to the cube. Like a new task,
    an edited task only measures the student (:attr:`train_on_last_sample` is False): its episode scores it, and it
    enters the buffer if the buffer has room or its score is at least the lowest buffered one. High-score tasks are
    replayed, hence edited, most: the buffer evolves from what the student is learning.

    A task is scored from its latest episode and its episodes in the buffer by the replay score ``score``
    (:mod:`teachgym.teachers.replay_scores`): ``"positive-value-loss"`` and ``"max-mc"`` read the student's value
    of the episode's initial state (the value-estimate protocol, :mod:`teachgym.teachers.value_estimates`; without
    a glue the return stands for the value, so positive value loss is 0), ``"learnability"`` the task's success
    rate (the ``success`` flag of ``update``, or ``reward_thresholds``), ``"return-change"`` PLR's signal here (the
    change of the return since the task's previous episode); a plug-in may register its own.

    Hyperparameters (defaults: dcd's BipedalWalker ACCEL configuration, ``bipedal_accel.json``):
        score: the replay score ("positive-value-loss").
        n_edits: edits per edited task (3).
        mutation_step: standard deviation of an edit in the unit cube (0.04: dcd's walker edits move a stump or
            stair height by 0.2 of 5 and a pit gap by 0.4 of 10).
        buffer_size (1000), replay_prob (0.9), min_fill_ratio (0.5), temperature (0.1: dcd's default),
            staleness_coef (0.5): as for PLR.
        reward_thresholds: optional ``(low, high)``: a return of at least ``high`` is a success, for updates
            without a ``success`` flag.

    Presets: ``"dcd-minigrid"`` (dcd's maze ACCEL: buffer 4000, replay 0.8, temperature 0.3, staleness 0.3 (dcd's
    default), 5 edits) and ``"simulated"`` (the teacher benchmark's simulated students, scored by return change:
    their value estimates are exact and taken after the episode trained them, so positive value loss and MaxMC are
    return noise there, and their success is a sharp threshold, so learnability stays 0 until a task is
    mastered). dcd's walker ACCEL starts its new levels from an easy range; here new tasks are uniform, as PLR's.
    Metrics: PLR's and ``edit_share`` (of all samples so far).
    """

    presets = {
        "dcd-minigrid": {"buffer_size": 4000, "replay_prob": 0.8, "temperature": 0.3, "staleness_coef": 0.3,
                         "n_edits": 5},
        "simulated": {"score": "return-change"},
    }
    trains_only_on_replays: ClassVar[bool] = True
    state_attributes = RobustPLRTeacher.state_attributes + (
        "buffer_max_returns", "buffer_successes", "buffer_episodes", "pending_edit", "edits", "last_sample_was_edit")

    def __init__(
        self,
        task_space: TaskSpace,
        *,
        score: str = "positive-value-loss",
        n_edits: int = 3,
        mutation_step: float = 0.04,
        buffer_size: int = 1000,
        replay_prob: float = 0.9,
        min_fill_ratio: float = 0.5,
        temperature: float = 0.1,
        staleness_coef: float = 0.5,
        reward_thresholds: Sequence[float] | None = None,
        **base: Any,
    ):
        name = self.name
        self.score = replay_score(score, owner=f"teacher {name!r}")
        self.score_needs_success = needs_success(score)
        self.n_edits = checked_integer(name, "n_edits", n_edits, minimum=1)
        self.mutation_step = checked_real(name, "mutation_step", mutation_step, low=0.0, low_open=True)
        self.reward_thresholds = checked_success_thresholds(name, reward_thresholds)
        super().__init__(task_space, buffer_size=buffer_size, replay_prob=replay_prob, min_fill_ratio=min_fill_ratio,
                         temperature=temperature, staleness_coef=staleness_coef, **base)
        self.buffer_max_returns = np.zeros(self.buffer_size)
        self.buffer_successes = np.zeros(self.buffer_size, dtype=np.int64)
        self.buffer_episodes = np.zeros(self.buffer_size, dtype=np.int64)
        self.pending_edit: np.ndarray | None = None
        self.edits = 0
        self.last_sample_was_edit = False
        self._history: TaskHistory | None = None

    # ------------------------------------------------------------------------------------------------ sampling
    def _sample(self) -> np.ndarray:
        if self.pending_edit is not None:
            task, self.pending_edit = self.pending_edit, None
            self.samples += 1
            self.edits += 1
            self.last_sample_was_replay, self.last_sample_was_edit = False, True
            return task
        task = super()._sample()
        self.last_sample_was_edit = False
        if self.last_sample_was_replay:
            self.pending_edit = self.edited(task)
        return task

    def edited(self, unit_task: np.ndarray) -> np.ndarray:
        """A copy of ``unit_task`` (in the unit cube) after ``n_edits`` random edits."""
        task = np.array(unit_task, dtype=np.float64)
        for _ in range(self.n_edits):
            dimension = self.rng.integers(self.ndim)
            task[dimension] = np.clip(task[dimension] + self.mutation_step * self.rng.standard_normal(), 0.0, 1.0)
        return task

    # ------------------------------------------------------------------------------------------------ learning
    def _episode_score(self, distances: np.ndarray, match: int | None, episode_return: float,
                       success: bool | None) -> float:
        view = self._episode_view(episode_return)
        value = view.discounted_return
        if view.initial_observation is not None and self.value_estimator is not None:
            value = float(self.estimate_values(view.initial_observation[None])[0])
        succeeded = (episode_success(self.name, episode_return, success, self.reward_thresholds)
                     if self.score_needs_success or success is not None or self.reward_thresholds is not None
                     else False)
        old = match is not None
        self._history = TaskHistory(
            discounted_return=view.discounted_return,
            value=value,
            max_return=max(view.discounted_return, self.buffer_max_returns[match]) if old else view.discounted_return,
            successes=int(succeeded) + (int(self.buffer_successes[match]) if old else 0),
            episodes=1 + (int(self.buffer_episodes[match]) if old else 0),
            return_change=super()._episode_score(distances, match, episode_return, success),
        )
        score = float(self.score(self._history))
        if not math.isfinite(score):
            raise TeacherError(f"teacher {self.name!r}: the replay score returned {score} for {self._history}")
        return score

    def _keep_episode(self, index: int, new: bool, episode_return: float, success: bool | None) -> None:
        super()._keep_episode(index, new, episode_return, success)
        history, self._history = self._history, None
        self.buffer_max_returns[index] = history.max_return
        self.buffer_successes[index] = history.successes
        self.buffer_episodes[index] = history.episodes

    def _metrics(self) -> dict[str, float]:
        return {**super()._metrics(), "edit_share": self.edits / self.samples if self.samples else 0.0}
