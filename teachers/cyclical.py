"""Cyclical curriculum: the share of the task space offered, easiest tasks first, grows and shrinks in cycles."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

from teachgym.errors import did_you_mean
from teachgym.task_space import TaskSpace

from .base import Teacher, TeacherError
from .checks import checked_integer, checked_real
from .difficulty import (
    PROBE_COUNT,
    CompetenceMap,
    Difficulty,
    ExpertDifficulty,
    as_offered,
    fixed_design,
    sample_easiest,
    share_threshold,
)
from .registry import register_teacher

VARIANTS = ("cycle", "sharp", "easy-to-hard", "hard-to-easy")
# Two shares closer than this (relative) are the same stage: 0.09 / 0.3 / 0.3 lands a hair below 1.0 in floats, and
# must not add a stage of share 0.9999999999999998.
_SHARE_RELATIVE_TOLERANCE = 1e-9


def share_schedule(variant: str, start_share: float, end_share: float, alpha: float) -> tuple[tuple[float, ...], bool]:
    """The shares of successive stages: a sequence, and whether it repeats (if not, its last share holds).

    Going up, a share is divided by ``alpha`` and capped at ``end_share``; going down, multiplied by ``alpha`` and
    floored at ``start_share`` (as in the reference implementation of Cyclical Curriculum Learning). With the
    defaults: cycle 0.25, 0.5, 1.0, 0.5 (repeating); sharp 0.25, 0.5, 1.0 (repeating); easy-to-hard 0.25, 0.5, 1.0
    then 1.0; hard-to-easy 1.0, 0.5, 0.25 then 0.25.
    """
    up = _ladder(start_share, end_share, 1.0 / alpha)
    down = _ladder(end_share, start_share, alpha)
    if variant == "cycle":
        return (tuple(up[:-1] + down[:-1]) or (start_share,)), True
    if variant == "sharp":
        return tuple(up), True
    if variant == "easy-to-hard":
        return tuple(up), False
    return tuple(down), False


def _ladder(first: float, last: float, factor: float) -> list[float]:
    shares = [first]
    bound = min if factor > 1.0 else max
    while shares[-1] != last:
        share = bound(shares[-1] * factor, last)
        shares.append(last if math.isclose(share, last, rel_tol=_SHARE_RELATIVE_TOLERANCE) else share)
    return shares


@register_teacher("cyclical")
class CyclicalTeacher(Teacher):
    """Cyclical curriculum (adapted to RL from supervised Cyclical Curriculum Learning, Kesgin & Amasyali, IEEE TNNLS
    2023): training runs in stages of ``stage_length`` episodes; in each stage, tasks are drawn uniformly from the
    easiest ``share`` of the task space, and the share cycles between ``start_share`` and ``end_share``.

    "Easiest share q" means the tasks whose difficulty is at most the q-quantile of difficulty over the space
    (estimated on 4096 fixed probe tasks; a share of 1.0 is always the whole space). The difficulty is the expert's
    ``difficulty`` when given. Without it, tasks are ordered by the teacher's own competence estimate: an exponential
    moving average of normalised returns per region (about ``competence_regions`` regions: a grid in one or two
    dimensions, nearest-anchor cells above), higher = easier, regions never tried counting as the hardest (nothing
    says the student can do them; they are offered once the share grows past the tried ones). This ranking is
    recomputed at the first task of every stage and fixed for the stage, so a stage offers one stable set of tasks.
    Returns are compared through ``normalized_return``: ``reward_range`` is optional, the ordering does not depend
    on it.

    Args:
        start_share: ``sp``, the smallest share of the space offered, in (0, end_share] (reference: 0.25).
        end_share: ``ep``, the largest share, in [start_share, 1] (reference: 1.0).
        alpha: ``alpha`` in (0, 1): the share is divided by it going up and multiplied by it going down
            (reference: 0.5).
        stage_length: episodes per stage (>= 1). Default 500 (a teachgym choice; the supervised original has one
            epoch per stage): long enough for the student to practise a share and for the competence estimate to see
            it (about five episodes per region even at the full space), short enough for about ten cycles of four
            stages in a run of 20,000 episodes.
        variant: "cycle" (up to ``end_share`` and back down, repeating: 0.25, 0.5, 1.0, 0.5, 0.25, ...), "sharp"
            (after ``end_share`` straight back to ``start_share``), "easy-to-hard" (up, then stay at
            ``end_share``) or "hard-to-easy" (from ``end_share`` down, then stay at ``start_share``).
        difficulty: expert knowledge: a callable (task dict in task units -> float, higher = harder) or a mapping
            task parameter -> weight over the normalised task (e.g. ``{"stump_height": 1.0, "obstacle_spacing":
            -1.0}`` for Stump Tracks); None: order by the competence estimate.
        competence_regions: about how many regions the competence estimate has (>= 2; unused with ``difficulty``).
        competence_rate: weight of a new return in its region's moving average, in (0, 1] (unused with
            ``difficulty``).
    """

    state_attributes: ClassVar[tuple[str, ...]] = ("competence", "region_ranks", "ranked_stage", "threshold")

    def __init__(self, task_space: TaskSpace, *, start_share: float = 0.25, end_share: float = 1.0,
                 alpha: float = 0.5, stage_length: int = 500, variant: str = "cycle",
                 difficulty: Difficulty | None = None, competence_regions: int = 100, competence_rate: float = 0.1,
                 **base: Any):
        super().__init__(task_space, **base)
        self.start_share = checked_real(self.name, "start_share", start_share, low=0.0, high=1.0, low_open=True)
        self.end_share = checked_real(self.name, "end_share", end_share, low=self.start_share, high=1.0)
        self.alpha = checked_real(self.name, "alpha", alpha, low=0.0, high=1.0, low_open=True, high_open=True)
        self.stage_length = checked_integer(self.name, "stage_length", stage_length, minimum=1)
        if variant not in VARIANTS:
            raise TeacherError(f"teacher {self.name!r}: unknown variant {variant!r}"
                               f"{did_you_mean(str(variant), VARIANTS)}; expected one of {list(VARIANTS)}")
        self.variant = variant
        self.schedule, self.schedule_repeats = share_schedule(variant, self.start_share, self.end_share, self.alpha)
        probes = as_offered(task_space, fixed_design(self.ndim, PROBE_COUNT))
        if difficulty is None:
            regions = checked_integer(self.name, "competence_regions", competence_regions, minimum=2)
            rate = checked_real(self.name, "competence_rate", competence_rate, low=0.0, high=1.0, low_open=True)
            self.difficulty: ExpertDifficulty | None = None
            self.competence: CompetenceMap | None = CompetenceMap.empty(self.ndim, regions, rate)
            self._probe_regions = self.competence.region_of(probes)
        else:
            self.difficulty = ExpertDifficulty(task_space, difficulty, teacher=self.name)
            self.competence = None
            # The expert's score never changes: one threshold per share of the schedule, computed once.
            probe_scores = self.difficulty(probes)
            self._expert_thresholds = {share: share_threshold(probe_scores, share) for share in set(self.schedule)}
        # Competence ordering of the current stage: each region's rank (0 = easiest), the stage it was ranked for
        # (-1: none yet) and the highest rank offered.
        self.region_ranks: np.ndarray | None = None
        self.ranked_stage = -1
        self.threshold = math.inf

    def stage_share(self, stage: int) -> float:
        """The share of the space offered in stage ``stage`` (0-based; stage k covers episodes from
        ``k * stage_length``)."""
        if self.schedule_repeats:
            return self.schedule[stage % len(self.schedule)]
        return self.schedule[min(stage, len(self.schedule) - 1)]

    @property
    def stage(self) -> int:
        """The current stage, from the episodes the teacher has been told of."""
        return self.episodes // self.stage_length

    def _sample(self) -> np.ndarray:
        share = self.stage_share(self.stage)
        if self.difficulty is not None:
            return sample_easiest(self.rng, self.task_space, self.difficulty, self._expert_thresholds[share], share)
        if self.ranked_stage != self.stage:
            self.region_ranks = self.competence.ranks(self.rng)
            self.threshold = share_threshold(self.region_ranks[self._probe_regions], share)
            self.ranked_stage = self.stage
        return sample_easiest(self.rng, self.task_space, self._competence_rank, self.threshold, share)

    def _competence_rank(self, unit_tasks: np.ndarray) -> np.ndarray:
        return self.region_ranks[self.competence.region_of(unit_tasks)]

    def _update(self, unit_task: np.ndarray, episode_return: float, success: bool | None) -> None:
        if self.competence is not None:
            self.competence.record(unit_task, self.normalized_return(episode_return))

    def _metrics(self) -> dict[str, float]:
        metrics = {"stage": float(self.stage), "share": self.stage_share(self.stage)}
        if self.competence is not None:
            metrics["regions_tried"] = float(np.mean(self.competence.visits > 0))
        return metrics
